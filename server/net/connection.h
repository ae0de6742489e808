// One accepted TCP connection on a network thread: its decoder, its unsent
// output and its watchdogs. Not a QObject: 10,000 of these must stay cheap
// (a few hundred bytes each, no heap buffers while idle). All methods run
// on the owning NetworkThread.
#pragma once

#include "bytebuffer.h"
#include "framedecoder.h"
#include "messagehandler.h"
#include "peeraddress.h"
#include "snapshots.h"
#include "watchdogs.h"

#include <memory>

struct ssl_ctx_st;

namespace Vigil {

class Handshake;
class NetworkThread;
class TlsSession;
class Upstream;

class Connection final : public MessageSink
{
public:
    Connection(NetworkThread &thread, int fd, quint64 id, const PeerAddress &peer, qint64 nowNs);
    ~Connection() override;
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    // State
    quint64 id() const { return m_id; }
    int fd() const { return m_fd; }
    const PeerAddress &peer() const { return m_peer; }
    ConnectionState state() const { return m_state; }
    bool isRetired() const { return m_fd < 0; }
    const Watchdogs &watchdogs() const { return m_watchdogs; }
    Framing framing() const { return m_decoder.framing(); }
    size_t pendingOut() const { return m_out.size(); }
    ConnectionSnapshot snapshot() const;

    // I/O (from epoll)
    void handleReadable(qint64 nowNs);
    void handleWritable(qint64 nowNs);
    void handleHangup(qint64 nowNs);

    // Watchdogs (from the thread's TimerQueue)
    qint64 nextDeadline() const;
    void handleDeadline(qint64 nowNs);
    void setTimers(const ConnectionTimers &timers);
    // Re-derives timers from the server config (apply-to-open).
    void reapplyConfig();

    // The handler's view (MessageHandler): opened() once after adoption,
    // then the application's sends (Server::send, broadcast) from the loop.
    void open(qint64 nowNs);
    bool sendFromLoop(QByteArrayView payload, qint64 nowNs);

    // PROTOCOL.md §9 (connectionhandshake.cpp): on a proxy and/or tls
    // listener, instead of open(): read the PROXY header (proxy), then run
    // the TLS server handshake (tls: the listener's SSL_CTX); open()
    // follows once both are done. false: no TLS session could be made.
    bool beginHandshake(bool proxy, ssl_ctx_st *tls, qint64 nowNs);
    // Admitted per host (AdmissionControl::tryAdmit or tryAddHost), so
    // released with the peer's address; false while a header is pending.
    bool countsPerHost() const;

    // Ends the connection: BYE where the framing has it, a best-effort
    // flush of at most 1 s, then close. Logged and counted once.
    void close(CloseReason reason, qint64 nowNs);
    // close() and start the flush at once (for closes outside a read).
    void closeAndFlush(CloseReason reason, qint64 nowNs);
    // PROTOCOL.md §10: GOAWAY reason (where the framing has frames), keep
    // serving, and close with that reason inMs from now.
    void goAway(CloseReason reason, qint64 inMs);
    // Closes the socket now, flushed or not (the stop budget ran out).
    void abort() { retire(); }

    // Forward mode (PROTOCOL.md §8): the client's upstream, owned here so
    // it lives exactly as long as the client; null in the other modes.
    Upstream *upstream() const { return m_upstream; }
    void openUpstream();
    // Backpressure: stop (or resume) reading the client.
    void setReadPaused(bool paused);
    void handleUpstreamEvents(quint32 events, qint64 nowNs);

    // Publishing bookkeeping (owned by NetworkThread)
    qint64 armedAtNs = Watchdogs::Never; // deadline of our live TimerQueue entry
    bool dirty = false;

private:
    friend class Session;
    friend class Upstream;
    friend class ForwardHandler;
    class ReplyScope;

    bool sendData(QByteArrayView payload);

    bool onMessage(const DecodedMessage &message) override;
    bool admitBuffer(size_t bytes) override;
    bool admitOutput(size_t bytes);
    void settleMemory();
    void handleHello(const DecodedMessage &message);
    void sendFrame(FrameType type, const char *payload, size_t size);
    void publishEvent(EventKind kind, size_t size = 0, const QByteArray &preview = QByteArray(),
                      TimeoutKind timeout = TimeoutKind::Idle);
    ByteBuffer &outbound();
    void flushOutbound(qint64 nowNs);
    void setWriteInterest(bool on);
    void lingerAfterFlush();
    void drainAfterClose();
    void awaitDelivery(qint64 nowNs);
    void handleClosingDeadline(qint64 nowNs);
    void writeTimedOut();
    int unsentInKernel() const;
    bool admitByRate(qint64 nowNs);
    bool admitPing();
    void trackUnfinishedMessage(quint64 messagesBefore);
    // The server's timers for this connection, with its own lifetime draw.
    ConnectionTimers timersFor(std::optional<Policy> requested = std::nullopt,
                               std::optional<qint64> keepaliveMs = std::nullopt) const;
    void recordClose();
    void retire();
    bool readHandshake(qint64 nowNs);
    bool finishProxyHeader(qint64 nowNs);
    bool stepTls(qint64 nowNs);
    bool finishHandshake(qint64 nowNs);
    void handleHandshakeDeadline(qint64 nowNs);

    NetworkThread &m_thread;
    FrameDecoder m_decoder;
    ByteBuffer m_out;
    Watchdogs m_watchdogs;
    PeerAddress m_peer;
    quint64 m_id;
    quint64 m_messagesIn = 0;
    quint64 m_messagesOut = 0;
    quint64 m_bytesIn = 0;
    quint64 m_bytesOut = 0;
    qint64 m_nowNs = 0;          // arrival time of the bytes being decoded
    qint64 m_charged = 0;         // bytes charged to the server's memory budget
    // State only one phase needs shares its bytes: 10,000 connections
    // must stay cheap (the hold benchmark counts every byte).
    struct OpenState
    {
        qint64 rateTatNs = 0;  // --max-msg-rate: GCRA theoretical arrival time
        quint64 probesSent = 0;
        qint64 lastPingNs = 0; // --min-ping-interval: the client's last PING since DATA (0: none)
    };
    struct ClosingState
    {
        qint64 deadlineNs = 0;         // when to give up flushing (Never after a FIN: the write timeout rules)
        qint64 deliveryCheckNs = 0;    // peer done, kernel still sending: next look (0: none)
        qint64 deliveryProgressNs = 0; // when the kernel's unsent bytes last went down (0: not yet looked)
    };
    union PhaseState {
        PhaseState()
            : open()
        {
        }
        OpenState open;       // while m_state is Open
        ClosingState closing; // from close() on
    } m_phase;
    bool awaitingDelivery() const { return m_state == ConnectionState::Closing && m_phase.closing.deliveryCheckNs; }
    QString m_client;             // from HELLO
    std::optional<Policy> m_helloPolicy;
    std::optional<qint64> m_helloKeepaliveMs;
    QByteArray m_lastMessage;     // preview, kept only while publishing
    QByteArray m_inPayload;       // the DATA in the handler, as its event has it: an echo's event shares it
    void *m_userData = nullptr;   // Session::userData: the handler's
    std::unique_ptr<Handshake> m_handshake; // PROTOCOL.md §9: set while the PROXY header or TLS handshake is pending
    std::unique_ptr<TlsSession> m_tls;      // ,tls listeners: from accept to close
    QString m_proxy;                        // who sent the PROXY header, once it named a client
    Upstream *m_upstream = nullptr;
    int m_fd;
    int m_deliveryUnsent = 0; // Closing: the kernel's unsent bytes at the last look
    CloseReason m_closeReason = CloseReason::None;
    ConnectionState m_state = ConnectionState::Open;
    bool m_writeInterest = false;
    bool m_readPaused = false; // forward mode: the upstream is full
    bool m_closeRecorded = false;
    bool m_lingering = false; // Closing, output sent and FIN out: reading to EOF
    bool m_sawMessage = false;
    bool m_hello = false;
    bool m_opened = false; // the handler's opened() ran (after any handshake)
    quint8 m_pingStrikes = 0; // --min-ping-interval (PROTOCOL.md §10)
    CloseReason m_goAwayReason = CloseReason::None; // the close a GOAWAY announced
    quint16 m_lifetimeDraw = 0; // --lifetime-jitter: this connection's point in the range, of 65536
};

} // namespace Vigil
