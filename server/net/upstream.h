// Forward mode's other half (PROTOCOL.md §8): one connection from vigild to
// the upstream service for one client, on the client's own network thread.
// Opened without blocking, watched by that thread's Poller, and relaying in
// both directions with backpressure: it stops reading the upstream while the
// client's output is full, and has the client stop reading while the
// upstream has not taken what was written to it. Never more than
// --max-send-buffer waits in either direction (docs/protocol-notes.md).
// All methods run on the owning NetworkThread; the Connection owns it.
#pragma once

#include "bytebuffer.h"
#include "framedecoder.h"
#include "serverconfig.h"
#include "snapshots.h"
#include "watchdogs.h"

#include <cstdint>

namespace Vigil {

class Connection;
class NetworkThread;

class Upstream final : public MessageSink
{
public:
    // PROTOCOL.md §8: the upstream could not be reached within 5 s.
    static constexpr qint64 ConnectTimeoutMs = 5000;

    Upstream(Connection &client, NetworkThread &thread);
    ~Upstream() override;
    Upstream(const Upstream &) = delete;
    Upstream &operator=(const Upstream &) = delete;

    // Epoll tags: an upstream's carries its low bit set, so one event loop
    // tells it from a Connection (both are at least 8-byte aligned).
    void *tag() { return reinterpret_cast<void *>(reinterpret_cast<std::uintptr_t>(this) | 1u); }
    static Upstream *fromTag(void *tag)
    {
        const auto bits = reinterpret_cast<std::uintptr_t>(tag);
        return (bits & 1u) ? reinterpret_cast<Upstream *>(bits & ~std::uintptr_t(1)) : nullptr;
    }

    // State
    UpstreamState state() const { return m_state; }
    bool isDone() const { return m_fd < 0; }
    UpstreamSnapshot snapshot() const;
    size_t pendingOut() const { return m_out.size(); }

    // From the client's Connection, inside its reply scope.
    // Starts the non-blocking connect. A failure closes the client.
    void start(qint64 nowNs);
    // One complete client DATA message, encoded in --upstream-framing.
    void send(const char *payload, size_t size, qint64 nowNs);
    // The client's output drained: reading the upstream may go on.
    void clientDrained(qint64 nowNs);
    // The client is done (any reason): what it sent is flushed as far as
    // the socket takes it, then the upstream is closed.
    void finish();
    qint64 nextDeadline() const;
    void handleDeadline(qint64 nowNs);

    // A tagged epoll event, through Connection::handleUpstreamEvents (the
    // client's reply scope around it).
    Connection &client() const { return m_client; }
    void handleEvents(quint32 events, qint64 nowNs);

private:
    bool onMessage(const DecodedMessage &message) override;
    bool admitBuffer(size_t bytes) override;
    void completeConnect(qint64 nowNs);
    void readUpstream(qint64 nowNs);
    void flush(qint64 nowNs);
    void updateInterest();
    void fail(UpstreamFailure cause, qint64 nowNs);
    void closeSocket();
    size_t readBudget() const;
    bool wantsToRead() const;
    void settleMemory();

    Connection &m_client;
    NetworkThread &m_thread;
    FrameDecoder m_decoder; // cuts what the upstream sends (not for raw)
    ByteBuffer m_out;       // client messages the upstream has not taken yet
    quint64 m_bytesIn = 0;  // from the upstream
    quint64 m_bytesOut = 0; // to the upstream
    qint64 m_connectDeadlineNs = Watchdogs::Never;
    qint64 m_writeBlockedSinceNs = 0;
    qint64 m_charged = 0; // bytes of m_out charged to the memory budget
    qint64 m_nowNs = 0;
    int m_fd = -1;
    UpstreamState m_state = UpstreamState::Connecting;
    Framing m_framing;
    bool m_watched = false;
    bool m_readInterest = false;
    bool m_writeInterest = false;
    bool m_clientPaused = false; // we asked the client to stop reading
    bool m_hungUp = false;       // EPOLLHUP while the client was full: unwatched, read as it drains
};

} // namespace Vigil
