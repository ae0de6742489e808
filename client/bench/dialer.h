// The socket side of one bench thread: an edge-triggered epoll set of
// non-blocking connections that it dials with bounded concurrency (and
// redials on failure), reads, decodes and writes without ever blocking.
// What to send and when belongs to a driver (rr, hold, churn), which the
// dialer tells about connects, replies and freed slots.
#pragma once

#include "bytebuffer.h"
#include "clientcommandline.h"
#include "framedecoder.h"
#include "latencyhistogram.h"

#include <atomic>
#include <deque>
#include <map>
#include <vector>

#include <netinet/in.h>

struct ssl_st;
struct ssl_ctx_st;
#include <sys/epoll.h>
#include <sys/socket.h>

namespace Vigil {

// What the coordinating thread and the workers share. Phases are driven by
// the coordinator through startNs; workers report through relaxed atomics.
struct BenchShared
{
    sockaddr_storage target{};
    socklen_t targetLength = 0;
    // rr and hold: set once every worker has dialled; traffic starts then.
    std::atomic<qint64> startNs{0};
    std::atomic<bool> abort{false};
};

// A worker's totals, read by the coordinator after join().
struct BenchWorkerResult
{
    LatencyHistogram rtt;
    LatencyHistogram connect;
    quint64 messages = 0;      // responses counted (rr: inside the window)
    quint64 sent = 0;
    int connected = 0;         // connections established
    int dialFailures = 0;      // connections that never came up
    std::map<QString, int> dialFailureReasons; // dialFailureReason() -> count, sums to dialFailures
    int stayedOpen = 0;        // open when the run ended
    int closedByServer = 0;    // closed by the peer while we still wanted it
    int goAways = 0;           // GOAWAY frames received (PROTOCOL.md §10)
    int reconnects = 0;        // --reconnect: connections dialled again after their GOAWAY'd close
    quint64 errors = 0;        // everything that should not happen
    QString firstError;
    std::vector<int> byeReasons = std::vector<int>(256, 0); // BYE code -> count
};

// Why a connection never came up, in words that stay the same across
// libcs (refused, timed-out, no-local-port, ...; errno-N otherwise).
QString dialFailureReason(int error);

// What a driver hears from its dialer. Called on the worker thread, from
// inside Dialer::poll() (and from the dialer calls the driver makes).
class DialerEvents
{
public:
    virtual ~DialerEvents() = default;
    // The connection is up and reads; connect time is recorded already.
    virtual void connected(int local, qint64 now) = 0;
    // got replies arrived on the connection, oldest first; the driver
    // settles them with Dialer::settle() and sends what comes next.
    virtual void replies(int local, int got, qint64 now) = 0;
    // The slot holds no connection any more and will not be redialled
    // (closed, or its connect failed for good). churn reuses it.
    virtual void released(int local) { (void)local; }
};

// How a mode wants its connections handled.
struct DialerSettings
{
    int slotCount = 0;        // connections held at once
    int firstIndex = 0;       // run-wide index of slot 0 (picks the source address)
    int ring = 1;             // send times kept per connection: the most in flight
    int connectAttempts = 3;  // per connection, the first included
    bool pongIsReply = false; // hold: a PONG answers a heartbeat
    bool anyDataSize = false; // hold: DATA of any size is a reply
};

class Dialer final : private MessageSink
{
public:
    Dialer(const BenchOptions &options, const BenchShared &shared, const DialerSettings &settings,
           BenchWorkerResult &result, DialerEvents &events);
    ~Dialer() override;
    Dialer(const Dialer &) = delete;
    Dialer &operator=(const Dialer &) = delete;

    // Creates the epoll set and starts the dial clock; false (and one error
    // counted) if it cannot.
    bool open();

    // Dialling. rr and hold queue every slot and step dialAll() until it
    // says done; churn starts slots one by one with redial().
    void queueAll();
    bool dialAll(qint64 now); // true once every queued connection is up or failed
    void redial(int local, int index); // the slot's next connection, index picks its source
    void sweepConnectTimeouts(qint64 now); // at most every 100 ms

    // Waits for readiness (busy-polling first for busyPollNs) and handles
    // every event; now is the clock after the wait. Returns the event count.
    int poll(int timeoutMs, qint64 busyPollNs, qint64 &now);

    // Puts count tracked messages (their bytes in data) in flight on an
    // open connection; the caller keeps inflight(local) + count <= ring.
    void send(int local, int count, const char *data, size_t size, qint64 now);
    // Settles got replies (never more than are in flight), oldest first,
    // recording their round trips and counting them when measured is true.
    void settle(int local, int got, qint64 now, bool measured);
    void close(int local); // ours, not an error

    // The run is ending: failed connects are not retried, and the server
    // closing a connection with nothing in flight is no longer an error.
    void setStopping() { m_stopping = true; }
    bool stopping() const { return m_stopping; }
    bool isOpen(int local) const { return m_conns[size_t(local)].state == State::Open; }
    int inflight(int local) const { return m_conns[size_t(local)].inflight; }
    int slotCount() const { return int(m_conns.size()); }
    int openCount() const { return m_open; }
    int connectingCount() const { return m_connectingCount; }
    bool dialQueueEmpty() const { return m_dialQueue.empty(); }
    qint64 inflightTotal() const { return m_inflightTotal; }
    quint64 responses() const { return m_responses; }
    void closeAll(); // at the end of the run, counting nothing

private:
    enum class State : quint8 { Pending, Connecting, Open, Closed };
    struct Conn
    {
        FrameDecoder decoder;
        ByteBuffer out;        // bytes the socket did not take yet
        qint64 connectStartNs = 0;
        quint64 rawBytes = 0;  // raw framing: bytes of the current response
        int fd = -1;
        int index = 0;         // run-wide index (source address)
        int head = 0;          // oldest in-flight send time in the ring
        int inflight = 0;
        State state = State::Pending;
        quint8 attempts = 0;
        bool writeArmed = false;
        bool goingAway = false; // the server sent GOAWAY: its close is announced, not an error
        ssl_st *ssl = nullptr;  // --tls: from TCP connect to close
    };

    void dialMore();
    bool startConnect(int local);
    void handleConnectDone(int local, qint64 now);
    void stepTlsHandshake(int local, qint64 now);
    void connectionUp(int local, qint64 now);
    void freeTls(Conn &c);
    ssize_t readSome(Conn &c, char *buffer, size_t capacity);
    ssize_t writeSome(Conn &c, const char *data, size_t size);
    void failConnect(int local, int error);
    void abandonDials();
    void handleEvent(int local, quint32 events, qint64 now);
    void handleReadable(int local, bool peerClosed);
    bool onMessage(const DecodedMessage &message) override;
    void completeResponses(int local, int got, qint64 now);
    bool writeBytes(int local, const char *data, size_t size);
    void flushOut(int local);
    void closeConn(int local, bool byPeer, const QString &why);
    void countError(const QString &why);
    void countDialFailure(const QString &reason, const QString &why);

    const BenchOptions &m_options;
    const BenchShared &m_shared;
    const DialerSettings m_settings;
    BenchWorkerResult &m_result;
    DialerEvents &m_events;
    int m_epoll = -1;
    ssl_ctx_st *m_tls = nullptr; // --tls: the client context
    std::vector<Conn> m_conns;
    std::vector<qint64> m_sendTimes; // ring per connection
    std::vector<char> m_scratch;
    std::vector<epoll_event> m_ready;
    std::deque<int> m_dialQueue;
    std::vector<int> m_connecting; // locals in State::Connecting
    int m_connectingCount = 0;
    int m_open = 0;
    qint64 m_inflightTotal = 0;
    quint64 m_responses = 0;
    qint64 m_dialStartNs = 0;
    qint64 m_lastSweepNs = 0;
    bool m_stopping = false;

    // Decoding state for onMessage().
    Conn *m_current = nullptr;
    int m_currentLocal = -1;
    int m_got = 0;
    bool m_bad = false;
    int m_byeCode = -1;
};

} // namespace Vigil
