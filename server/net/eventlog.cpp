// Event log formatting. The listening line's text form is fixed by the
// protocol ("listening on HOST:PORT framing=NAME"); the other text lines
// use the same names as the JSON keys: "closed conn=3 peer=... reason=...".
#include "eventlog.h"

#include "snapshots.h"

#include <ctime>

namespace Vigil {

namespace {
constexpr size_t MessagePreviewBytes = size_t(ServerEvent::PayloadBytes);
constexpr size_t FlushThreshold = 64 * 1024;
// stopped() is the last line: wait this long for a slow reader to take the
// log's tail, never longer (PROTOCOL.md §5: exit within 2 s of SIGTERM).
constexpr int StopDrainMs = 300;

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF) starting at p, or 0.
size_t utf8SequenceLength(const char *p, size_t size)
{
    const auto *u = reinterpret_cast<const unsigned char *>(p);
    size_t length = 0;
    unsigned char low = 0x80, high = 0xbf; // allowed range of the second byte
    if (u[0] >= 0xc2 && u[0] <= 0xdf) {
        length = 2;
    } else if (u[0] >= 0xe0 && u[0] <= 0xef) {
        length = 3;
        if (u[0] == 0xe0)
            low = 0xa0;
        else if (u[0] == 0xed)
            high = 0x9f;
    } else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
        length = 4;
        if (u[0] == 0xf0)
            low = 0x90;
        else if (u[0] == 0xf4)
            high = 0x8f;
    } else {
        return 0;
    }
    if (size < length || u[1] < low || u[1] > high)
        return 0;
    for (size_t k = 2; k < length; ++k) {
        if (u[k] < 0x80 || u[k] > 0xbf)
            return 0;
    }
    return length;
}
} // namespace

EventLog::EventLog(LogFormat format, bool enabled, int fd)
    : EventLog(format, enabled, enabled ? &LogSink::forFd(fd) : nullptr)
{
    if (m_sink)
        m_sink->setNoticeFormatter([format](const std::string &what) { return formatNotice(format, what); });
}

EventLog::EventLog(LogFormat format, bool enabled, LogSink *sink)
    : m_sink(sink)
    , m_format(format)
    , m_enabled(enabled)
{
}

std::string EventLog::formatNotice(LogFormat format, const std::string &what)
{
    EventLog line(format, true, nullptr);
    line.notice(QString::fromStdString(what));
    return line.m_buffer;
}

std::string EventLog::timestamp()
{
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    tm utc;
    gmtime_r(&ts.tv_sec, &utc);
    char text[96];
    snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
             utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, int(ts.tv_nsec / 1000000));
    return text;
}

void EventLog::appendEscaped(std::string &out, const char *data, size_t size, bool json)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < size; ++i) {
        const auto c = static_cast<unsigned char>(data[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f || (!json && c >= 0x80)) {
            out += json ? "\\u00" : "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else if (c < 0x80) {
            out += char(c);
        } else if (const size_t n = utf8SequenceLength(data + i, size - i)) {
            out.append(data + i, n); // JSON: valid UTF-8 passes through
            i += n - 1;
        } else {
            out += "\\ufffd"; // a JSON line must stay valid UTF-8, whatever the payload
        }
    }
}

void EventLog::begin(const char *event)
{
    m_firstField = true;
    if (m_format == LogFormat::Json) {
        m_buffer += "{\"ts\": \"";
        m_buffer += timestamp();
        m_buffer += "\", \"event\": \"";
        m_buffer += event;
        m_buffer += '"';
    } else {
        m_buffer += event;
    }
}

void EventLog::rawField(const char *key, const std::string &text)
{
    if (m_format == LogFormat::Json) {
        m_buffer += ", \"";
        m_buffer += key;
        m_buffer += "\": ";
    } else {
        m_buffer += ' ';
        m_buffer += key;
        m_buffer += '=';
    }
    m_buffer += text;
}

void EventLog::field(const char *key, const std::string &value)
{
    // Text form quotes only values that need it, so "reason=idle-timeout"
    // stays greppable while a message payload stays one line.
    const bool json = m_format == LogFormat::Json;
    bool quote = json;
    if (!json) {
        for (char c : value) {
            if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x21
                || static_cast<unsigned char>(c) >= 0x7f) {
                quote = true;
                break;
            }
        }
        quote = quote || value.empty();
    }
    std::string text;
    if (quote)
        text += '"';
    appendEscaped(text, value.data(), value.size(), json);
    if (quote)
        text += '"';
    rawField(key, text);
}

void EventLog::field(const char *key, qint64 value)
{
    rawField(key, std::to_string(value));
}

void EventLog::end()
{
    m_buffer += m_format == LogFormat::Json ? "}\n" : "\n";
    if (m_buffer.size() >= FlushThreshold)
        flush();
}

void EventLog::connectionFields(quint64 conn, const PeerAddress &peer)
{
    field("conn", qint64(conn));
    field("peer", peer.toStdString());
}

void EventLog::listening(const QString &address, Framing framing, bool tls)
{
    if (!m_enabled)
        return;
    if (m_format == LogFormat::Json) {
        begin("listening");
        field("address", address);
        field("framing", framingName(framing));
        if (tls)
            rawField("tls", "true");
        end();
    } else {
        m_buffer += "listening on " + address.toStdString() + " framing=" + framingName(framing).toStdString()
                    + (tls ? " tls\n" : "\n");
    }
    flush();
}

void EventLog::connected(quint64 conn, const PeerAddress &peer)
{
    if (!m_enabled)
        return;
    begin("connected");
    connectionFields(conn, peer);
    end();
}

void EventLog::hello(quint64 conn, const PeerAddress &peer, const QString &client, const ConnectionTimers &timers)
{
    if (!m_enabled)
        return;
    begin("hello");
    connectionFields(conn, peer);
    field("client", client);
    field("policy", policyName(timers.policy));
    field("idle_timeout_ms", timers.idleTimeoutMs);
    field("max_lifetime_ms", timers.maxLifetimeMs);
    end();
}

void EventLog::message(quint64 conn, const PeerAddress &peer, const char *data, size_t size)
{
    if (!m_enabled)
        return;
    begin("message");
    connectionFields(conn, peer);
    field("bytes", qint64(size));
    field("payload", std::string(data, std::min(size, MessagePreviewBytes)));
    end();
}

void EventLog::timeout(quint64 conn, const PeerAddress &peer, TimeoutKind kind, qint64 afterMs)
{
    if (!m_enabled)
        return;
    begin("timeout");
    connectionFields(conn, peer);
    field("kind", timeoutKindName(kind));
    field("after_ms", afterMs);
    end();
}

void EventLog::closed(quint64 conn, const PeerAddress &peer, CloseReason reason, const ConnectionTotals &totals)
{
    if (!m_enabled)
        return;
    begin("closed");
    connectionFields(conn, peer);
    field("reason", closeReasonName(reason));
    field("msgs_in", qint64(totals.messagesIn));
    field("msgs_out", qint64(totals.messagesOut));
    field("bytes_in", qint64(totals.bytesIn));
    field("bytes_out", qint64(totals.bytesOut));
    field("duration_ms", totals.durationMs);
    end();
}

void EventLog::rejected(const PeerAddress &peer, CloseReason reason)
{
    if (!m_enabled)
        return;
    begin("rejected");
    field("peer", peer.toStdString());
    field("reason", closeReasonName(reason));
    end();
}

void EventLog::proxied(quint64 conn, const PeerAddress &peer, const PeerAddress &proxy)
{
    if (!m_enabled)
        return;
    begin("proxied");
    connectionFields(conn, peer);
    field("proxy", proxy.toStdString());
    end();
}

void EventLog::tls(quint64 conn, const PeerAddress &peer, const QString &version, const QString &cipher)
{
    if (!m_enabled)
        return;
    begin("tls");
    connectionFields(conn, peer);
    field("version", version.toStdString());
    field("cipher", cipher.toStdString());
    end();
}

void EventLog::stopped()
{
    if (!m_enabled)
        return;
    begin("stopped");
    end();
    flush();
    if (m_sink)
        m_sink->finish(StopDrainMs);
}

void EventLog::notice(const QString &what)
{
    if (!m_enabled)
        return;
    begin("notice");
    field("message", what);
    end();
    flush();
}

void EventLog::reloaded(const QStringList &changed)
{
    if (!m_enabled)
        return;
    begin("reloaded");
    if (m_format == LogFormat::Json) {
        std::string list = "[";
        for (qsizetype i = 0; i < changed.size(); ++i) {
            const std::string key = changed.at(i).toStdString();
            list += i ? ", \"" : "\"";
            appendEscaped(list, key.data(), key.size(), true);
            list += '"';
        }
        list += ']';
        rawField("changed", list);
    } else {
        field("changed", changed.join(QLatin1Char(',')));
    }
    end();
    flush();
}

void EventLog::reloadFailed(const QString &error)
{
    if (!m_enabled)
        return;
    begin("reload-failed");
    field("error", error);
    end();
    flush();
}

void EventLog::flush()
{
    if (!m_sink || m_buffer.empty())
        return;
    m_sink->submit(m_buffer.data(), m_buffer.size());
    m_buffer.clear();
}

} // namespace Vigil
