// vigild's log: one line per event on stdout, text or JSON (PROTOCOL.md §5,
// §7). Each network thread has its own EventLog and writes its lines with
// one write() per loop iteration, so lines never interleave and nothing
// waits in a stdio buffer.
#pragma once

#include "closereason.h"
#include "framing.h"
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
    EventLog(LogFormat format, bool enabled, int fd = 1);

    bool isEnabled() const { return m_enabled; }

    void listening(const QString &address, Framing framing);
    void connected(quint64 conn, const PeerAddress &peer);
    void hello(quint64 conn, const PeerAddress &peer, const QString &client, const ConnectionTimers &timers);
    void message(quint64 conn, const PeerAddress &peer, const char *data, size_t size);
    void timeout(quint64 conn, const PeerAddress &peer, TimeoutKind kind, qint64 afterMs);
    void closed(quint64 conn, const PeerAddress &peer, CloseReason reason, const ConnectionTotals &totals);
    void rejected(const PeerAddress &peer, CloseReason reason);
    void stopped();
    // A free-form server notice (e.g. accept failures), event "notice".
    void notice(const QString &what);

    // Writes what was logged since the last flush in one write().
    void flush();

    // RFC 3339 UTC with milliseconds: 2026-11-25T15:00:00.123Z
    static std::string timestamp();

private:
    void begin(const char *event);
    void field(const char *key, const std::string &value);
    void field(const char *key, const QString &value) { field(key, value.toStdString()); }
    void field(const char *key, qint64 value);
    void rawField(const char *key, const std::string &text);
    void end();
    void connectionFields(quint64 conn, const PeerAddress &peer);
    static void appendEscaped(std::string &out, const char *data, size_t size, bool json);

    std::string m_buffer;
    int m_fd;
    LogFormat m_format;
    bool m_enabled;
    bool m_firstField = true;
};

} // namespace Vigil
