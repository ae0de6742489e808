// vigild's log: one line per event on stdout, text or JSON (PROTOCOL.md §5,
// §7). Each thread that logs has its own EventLog, which formats lines into
// a buffer of its own and hands them, once per loop iteration, to the
// descriptor's LogSink: one writer thread per descriptor, so lines never
// interleave and a reader that stops reading never blocks a network thread.
#pragma once

#include "closereason.h"
#include "framing.h"
#include "logsink.h"
#include "peeraddress.h"
#include "serverconfig.h"

#include <string>

namespace Vigil {

struct ConnectionTotals
{
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
    qint64 durationMs = 0;
};

class EventLog final
{
public:
    // Lines go to fd's LogSink (see LogSink::forFd) when enabled.
    EventLog(LogFormat format, bool enabled, int fd = 1);

    bool isEnabled() const { return m_enabled; }

    // tls: PROTOCOL.md §9's " tls" suffix (JSON "tls": true).
    void listening(const QString &address, Framing framing, bool tls = false);
    void connected(quint64 conn, const PeerAddress &peer);
    void hello(quint64 conn, const PeerAddress &peer, const QString &client, const ConnectionTimers &timers);
    void message(quint64 conn, const PeerAddress &peer, const char *data, size_t size);
    void timeout(quint64 conn, const PeerAddress &peer, TimeoutKind kind, qint64 afterMs);
    void closed(quint64 conn, const PeerAddress &peer, CloseReason reason, const ConnectionTotals &totals);
    void rejected(const PeerAddress &peer, CloseReason reason);
    // PROTOCOL.md §9: the PROXY header named peer; proxy is the socket's.
    void proxied(quint64 conn, const PeerAddress &peer, const PeerAddress &proxy);
    // PROTOCOL.md §9: the TLS handshake completed with this version and cipher.
    void tls(quint64 conn, const PeerAddress &peer, const QString &version, const QString &cipher);
    void stopped();
    // A free-form server notice (e.g. accept failures), event "notice".
    void notice(const QString &what);
    // PROTOCOL.md §11: a reload applied (changed: the keys whose values
    // changed, comma-separated in text, an array in JSON), or refused.
    void reloaded(const QStringList &changed);
    void reloadFailed(const QString &error);

    // Hands what was logged since the last flush to the sink; never blocks.
    void flush();

    // One "notice" line in this format (the sink's drop notice).
    static std::string formatNotice(LogFormat format, const std::string &what);

    // RFC 3339 UTC with milliseconds: 2026-11-25T15:00:00.123Z
    static std::string timestamp();

private:
    EventLog(LogFormat format, bool enabled, LogSink *sink);
    void begin(const char *event);
    void field(const char *key, const std::string &value);
    void field(const char *key, const QString &value) { field(key, value.toStdString()); }
    void field(const char *key, qint64 value);
    void rawField(const char *key, const std::string &text);
    void end();
    void connectionFields(quint64 conn, const PeerAddress &peer);
    static void appendEscaped(std::string &out, const char *data, size_t size, bool json);

    std::string m_buffer;
    LogSink *m_sink; // null: lines stay in m_buffer (formatNotice)
    LogFormat m_format;
    bool m_enabled;
    bool m_firstField = true;
};

} // namespace Vigil
