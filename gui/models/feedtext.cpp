// Display text for the feed's names. Close reasons and watchdog kinds read
// as the protocol spells them (operators grep logs for those) unless a
// translation says otherwise.
#include "feedtext.h"

#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

namespace Vigil {

QString FeedText::eventKind(EventKind kind)
{
    switch (kind) {
    case EventKind::Connected: return tr("connected");
    case EventKind::Hello: return tr("hello");
    case EventKind::MessageIn: return tr("message in");
    case EventKind::MessageOut: return tr("message out");
    case EventKind::PingIn: return tr("ping in");
    case EventKind::PingOut: return tr("ping out");
    case EventKind::PongIn: return tr("pong in");
    case EventKind::Timeout: return tr("timeout");
    case EventKind::Closed: return tr("closed");
    case EventKind::Rejected: return tr("rejected");
    }
    return eventKindName(kind);
}

QString FeedText::closeReason(CloseReason reason)
{
    switch (reason) {
    case CloseReason::None: return tr("none");
    case CloseReason::IdleTimeout: return tr("idle-timeout");
    case CloseReason::LifetimeExpired: return tr("lifetime-expired");
    case CloseReason::ProtocolError: return tr("protocol-error");
    case CloseReason::FrameTooLarge: return tr("frame-too-large");
    case CloseReason::UnsupportedVersion: return tr("unsupported-version");
    case CloseReason::ServerShutdown: return tr("server-shutdown");
    case CloseReason::Kicked: return tr("kicked");
    case CloseReason::ServerFull: return tr("server-full");
    case CloseReason::SlowConsumer: return tr("slow-consumer");
    case CloseReason::RateLimited: return tr("rate-limited");
    case CloseReason::Normal: return tr("normal");
    case CloseReason::UpstreamClosed: return tr("upstream-closed");
    case CloseReason::TooManyPings: return tr("too-many-pings");
    case CloseReason::HandshakeTimeout: return tr("handshake-timeout");
    case CloseReason::FrameTimeout: return tr("frame-timeout");
    case CloseReason::ClientClosed: return tr("client-closed");
    case CloseReason::Reset: return tr("reset");
    case CloseReason::UntrustedProxy: return tr("untrusted-proxy");
    case CloseReason::TlsError: return tr("tls-error");
    }
    // A reason added to the table before it got a text here.
    return closeReasonName(reason);
}

QString FeedText::timeoutKind(TimeoutKind kind)
{
    switch (kind) {
    case TimeoutKind::Idle: return tr("idle");
    case TimeoutKind::Lifetime: return tr("lifetime");
    case TimeoutKind::Write: return tr("write");
    case TimeoutKind::Frame: return tr("frame");
    case TimeoutKind::Handshake: return tr("handshake");
    }
    return timeoutKindName(kind);
}

QString FeedText::watchdogFired(TimeoutKind kind)
{
    return tr("%1 watchdog fired").arg(timeoutKind(kind));
}

QString FeedText::upstream(const UpstreamSnapshot &u)
{
    return tr("%1, %2 · %3 to it, %4 from it · %5 waiting")
        .arg(u.address, QLatin1String(upstreamStateName(u.state)), bytes(u.bytesOut), bytes(u.bytesIn), bytes(u.pendingOut));
}

QString FeedText::bytes(quint64 bytes)
{
    if (bytes < 1024)
        return tr("%1 B").arg(bytes);
    const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes) / 1024.0;
    int unit = 0;
    while (value >= 1024.0 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1String(units[unit]));
}

QString FeedText::rate(double perSecond)
{
    return QString::number(perSecond < 0 ? 0.0 : perSecond, 'f', 1);
}

QString FeedText::count(quint64 n)
{
    return QLocale().toString(n);
}

QString FeedText::span(qint64 ms)
{
    if (ms < 0)
        ms = 0;
    if (ms < 60000)
        return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    if (ms < 3600000)
        return QStringLiteral("%1 m %2 s").arg(ms / 60000).arg((ms / 1000) % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 m").arg(ms / 3600000).arg((ms / 60000) % 60, 2, 10, QLatin1Char('0'));
}

bool FeedText::darkPalette()
{
    // Models also run without a GUI (tests, --headless): no palette there.
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return false;
    return QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
}

QColor FeedText::readable(const QColor &onLight)
{
    return darkPalette() ? onLight.lighter(170) : onLight;
}

} // namespace Vigil
