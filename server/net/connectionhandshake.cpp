// Connection's handshake stage on a proxy and/or tls listener (PROTOCOL.md
// §9): the PROXY header, the real client address, admission by that
// address, the TLS server handshake, and the handshake deadline. Kept
// apart from connection.cpp's hot path, which only asks whether a
// handshake is pending.
#include "connection.h"

#include "handshake.h"
#include "monotonicclock.h"
#include "networkthread.h"
#include "tlssession.h"

namespace Vigil {

bool Connection::beginHandshake(bool proxy, ssl_ctx_st *tls, qint64 nowNs)
{
    m_handshake = std::make_unique<Handshake>(nowNs, m_thread.config().handshakeTimeoutMs, proxy);
    if (tls) {
        m_tls = std::make_unique<TlsSession>(tls, m_fd);
        if (!m_tls->isValid())
            return false;
    }
    return true;
}

bool Connection::countsPerHost() const
{
    return !m_handshake || m_handshake->countsPerHost();
}

// Returns true when the handshake is done and the connection was opened:
// the caller then reads what followed it as the session's first bytes.
bool Connection::readHandshake(qint64 nowNs)
{
    if (m_handshake->expectsHeader() && !m_handshake->headerRead()) {
        switch (m_handshake->read(m_fd, m_thread.readScratch(), m_thread.readScratchSize())) {
        case Handshake::Step::NeedMore:
            return false;
        case Handshake::Step::Done:
            if (!finishProxyHeader(nowNs))
                return false;
            break;
        case Handshake::Step::Malformed:
            m_thread.log().notice(
                QStringLiteral("conn %1 peer=%2: %3").arg(m_id).arg(m_peer.toString(), m_handshake->error()));
            closeAndFlush(CloseReason::ProtocolError, nowNs);
            return false;
        case Handshake::Step::Closed:
            closeAndFlush(CloseReason::ClientClosed, nowNs);
            return false;
        case Handshake::Step::Failed:
            closeAndFlush(CloseReason::Reset, nowNs);
            return false;
        }
    }
    if (m_tls && !m_tls->isEstablished() && !stepTls(nowNs))
        return false;
    return finishHandshake(nowNs);
}

// The header named the client (or, LOCAL and UNKNOWN, kept the socket's
// address): from here on that address is the peer everywhere, and
// --max-per-ip counts it. A client over the limit is refused as at accept
// (BYE server-full, `rejected`), now that a BYE may be sent in clear; on
// a tls listener nothing is sent (the BYE could only go in clear).
bool Connection::finishProxyHeader(qint64 nowNs)
{
    const ProxyHeaderParser &header = m_handshake->header();
    if (header.command() == ProxyHeaderParser::Command::Proxy) {
        const PeerAddress proxy = m_peer;
        const ProxyAddress &source = header.source();
        m_peer.address = source.address;
        m_peer.port = source.port;
        m_peer.v4 = source.v4;
        m_proxy = proxy.toString();
        m_thread.connectionProxied(this, proxy);
    }
    if (!m_thread.admitHost(m_peer)) {
        m_closeRecorded = true; // the `rejected` line stands for it
        m_thread.connectionRejectedLate(this, CloseReason::ServerFull);
        closeAndFlush(CloseReason::ServerFull, nowNs);
        return false;
    }
    m_handshake->setHostAdmitted();
    m_thread.markDirty(this);
    return true;
}

// One non-blocking step of the TLS server handshake. It reads and writes
// the socket itself: while it waits to write, the write interest is on.
// A failure is tls-error, logged with OpenSSL's reason; the alert OpenSSL
// queued is already sent, and no BYE can be (the session never existed).
bool Connection::stepTls(qint64 nowNs)
{
    switch (m_tls->handshake()) {
    case TlsSession::Step::WantRead:
        setWriteInterest(false);
        return false;
    case TlsSession::Step::WantWrite:
        setWriteInterest(true);
        return false;
    case TlsSession::Step::Failed:
        m_thread.log().notice(
            QStringLiteral("conn %1 peer=%2: TLS handshake failed: %3").arg(m_id).arg(m_peer.toString(), m_tls->error()));
        setWriteInterest(false);
        closeAndFlush(CloseReason::TlsError, nowNs);
        return false;
    case TlsSession::Step::Done:
        break;
    }
    setWriteInterest(false);
    m_thread.connectionTls(this, m_tls->version(), m_tls->cipher());
    return true;
}

// Every stage is through: the connection is a session from here on.
bool Connection::finishHandshake(qint64 nowNs)
{
    m_handshake.reset();
    m_thread.markDirty(this);
    m_thread.reschedule(this);
    open(nowNs);
    return m_state == ConnectionState::Open;
}

// PROTOCOL.md §9: the handshake deadline counts from accept. Before the
// header only it, the idle timeout and the lifetime run (no probe can be
// sent, nothing waits to be written); whichever is due closes, without BYE.
void Connection::handleHandshakeDeadline(qint64 nowNs)
{
    struct Candidate
    {
        qint64 deadline;
        TimeoutKind kind;
        CloseReason reason;
        qint64 afterMs;
    };
    const Candidate candidates[] = {
        {m_handshake->deadlineNs(), TimeoutKind::Handshake, CloseReason::HandshakeTimeout,
         m_thread.config().handshakeTimeoutMs},
        {m_watchdogs.lifetimeDeadline(), TimeoutKind::Lifetime, CloseReason::LifetimeExpired,
         m_watchdogs.timers.maxLifetimeMs},
        {m_watchdogs.idleDeadline(), TimeoutKind::Idle, CloseReason::IdleTimeout, m_watchdogs.timers.idleTimeoutMs},
    };
    const Candidate *due = nullptr;
    for (const Candidate &c : candidates) {
        if (c.deadline <= nowNs && (!due || c.deadline < due->deadline))
            due = &c;
    }
    if (!due)
        return;
    ThreadCounters &counters = m_thread.mutableCounters();
    counters.recordLateness(nowNs - due->deadline);
    counters.timeouts[size_t(due->kind)].add();
    m_thread.log().timeout(m_id, m_peer, due->kind, due->afterMs);
    publishEvent(EventKind::Timeout, 0, QByteArray(), due->kind);
    closeAndFlush(due->reason, nowNs);
}

} // namespace Vigil
