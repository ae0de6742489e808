// ApplyPreview: the same rules the network threads apply
// (ServerConfig::timersFor), run over the snapshots the monitor holds.
#include "applypreview.h"

#include <QCoreApplication>

namespace Vigil {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("Vigil::ApplyPreview", text);
}
} // namespace

ApplyPreview ApplyPreview::of(const QVector<const ConnectionSnapshot *> &open, const ServerConfig &config, qint64 nowMs)
{
    ApplyPreview p;
    for (const ConnectionSnapshot *s : open) {
        if (!s || s->state != ConnectionState::Open)
            continue;
        ++p.open;
        const ConnectionTimers plain = config.timersFor(s->timers.policy);
        // After HELLO the idle timeout may be the client's keepalive (1.5 x
        // K, within the server's bounds): applying keeps that one. The
        // snapshot cannot tell a keepalive from an old default, so every
        // HELLO connection whose timeout differs is counted as keeping it.
        if (s->timers.idleTimeoutMs != plain.idleTimeoutMs) {
            if (s->hello && s->timers.policy == Policy::Long)
                ++p.keepKeepalive;
            else
                ++p.idleChanged;
        }
        if (plain.maxLifetimeMs > 0 && s->acceptedAtMs > 0) {
            const qint64 age = nowMs - s->acceptedAtMs;
            const qint64 shortest = plain.maxLifetimeMs - plain.maxLifetimeMs * config.lifetimeJitterPct / 100;
            if (age >= plain.maxLifetimeMs)
                ++p.closeAtOnce;
            if (age >= shortest)
                ++p.closeAtOnceMax;
        }
    }
    return p;
}

QString ApplyPreview::text() const
{
    QString out = open == 1 ? tr("Apply the new timeouts and limits to 1 open connection.")
                            : tr("Apply the new timeouts and limits to %1 open connections.").arg(open);
    if (idleChanged)
        out += QLatin1Char(' ') + tr("%1 get the new idle timeout.").arg(idleChanged);
    if (keepKeepalive)
        out += QLatin1Char(' ')
            + tr("%1 sent HELLO: those that negotiated a keepalive keep their own idle timeout.").arg(keepKeepalive);
    if (closeAtOnceMax) {
        const QString n = closeAtOnce == closeAtOnceMax ? QString::number(closeAtOnce)
                                                        : tr("%1 to %2").arg(closeAtOnce).arg(closeAtOnceMax);
        out += QLatin1Char(' ')
            + tr("%1 are older than the new max lifetime and will be closed at once (BYE lifetime-expired).").arg(n);
    }
    return out;
}

QString ApplyPreview::doneText() const
{
    QString out = open == 1 ? tr("Applied to 1 open connection") : tr("Applied to %1 open connections").arg(open);
    if (keepKeepalive)
        out += tr("; %1 with HELLO keep a negotiated keepalive").arg(keepKeepalive);
    if (closeAtOnceMax)
        out += tr("; up to %1 closed at once").arg(closeAtOnceMax);
    return out;
}

} // namespace Vigil
