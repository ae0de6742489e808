// ConnectionDetails: reads the connection's latest snapshot and scans the
// traffic log backwards for its recent events.
#include "connectiondetails.h"

#include "closedconnectionmodel.h"
#include "connectiontablemodel.h"
#include "duration.h"
#include "feedtext.h"
#include "fleetid.h"
#include "monotonicclock.h"
#include "sparklinewidget.h"
#include "trafficlogmodel.h"

#include <QColor>
#include <QDateTime>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QVBoxLayout>

namespace Vigil {

namespace {
// How many of the connection's latest events the pane lists.
constexpr int RecentEvents = 30;
// Longer values (a bench payload, a generated client name) are cut here
// and shown whole in the tooltip: the pane never widens its dock.
constexpr int MaxValueChars = 32;
// The connection's rate sparkline takes a sample this often while shown.
constexpr qint64 RateSampleMs = 500;

QString elided(const QString &value)
{
    if (value.size() <= MaxValueChars)
        return value;
    return value.left(MaxValueChars - 1) + QChar(0x2026);
}

QString timerText(qint64 timeoutMs, qint64 deadlineMs, qint64 now)
{
    if (timeoutMs <= 0)
        return QObject::tr("off");
    if (deadlineMs <= 0)
        return formatDuration(timeoutMs);
    const double left = double(std::max<qint64>(0, deadlineMs - now)) / 1000.0;
    return QObject::tr("%1, %2 s left").arg(formatDuration(timeoutMs)).arg(left, 0, 'f', 1);
}

// Short names keep a recent-events line inside a narrow pane.
QString shortKind(EventKind kind)
{
    switch (kind) {
    case EventKind::Connected: return QStringLiteral("conn ");
    case EventKind::Hello: return QStringLiteral("hello");
    case EventKind::MessageIn: return QStringLiteral("in   ");
    case EventKind::MessageOut: return QStringLiteral("out  ");
    case EventKind::PingIn: return QStringLiteral("ping<");
    case EventKind::PingOut: return QStringLiteral("ping>");
    case EventKind::PongIn: return QStringLiteral("pong<");
    case EventKind::Timeout: return QStringLiteral("timeout");
    case EventKind::Closed: return QStringLiteral("closed");
    case EventKind::Rejected: return QStringLiteral("rejected");
    }
    return QString();
}
} // namespace

ConnectionDetails::ConnectionDetails(const ConnectionTableModel *connections, const TrafficLogModel *traffic,
                                     const ClosedConnectionModel *history, QWidget *parent)
    : QWidget(parent)
    , m_connections(connections)
    , m_traffic(traffic)
    , m_history(history)
    , m_summary(new QLabel(this))
    , m_recent(new QPlainTextEdit(this))
    , m_rateLine(new SparklineWidget(tr("Messages in"), QColor(0x2e, 0xa0, 0x43), this))
{
    // Sampled every RateSampleMs while shown: the last minute.
    m_rateLine->setObjectName(QStringLiteral("connectionRateLine"));
    m_rateLine->setUnit(tr("msg/s"));
    m_rateLine->setDecimals(1);
    m_rateLine->setCapacity(120);
    m_rateLine->setToolTip(tr("This connection's inbound messages per second, averaged over 5 s"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_summary->setWordWrap(true);
    m_summary->setObjectName(QStringLiteral("detailsSummary"));
    // Whatever the values, the pane scrolls inside its dock instead of
    // asking the dock (and the window) for more room.
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("detailsScroll"));
    scroll->setWidget(m_summary);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    scroll->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    scroll->setMinimumHeight(fontMetrics().height() * 6);
    m_recent->setReadOnly(true);
    m_recent->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_recent->setPlaceholderText(tr("Recent events of the selected connection"));
    m_recent->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(scroll, 3);
    layout->addWidget(m_rateLine);
    layout->addWidget(m_recent, 2);
    setConnection(0);
}

void ConnectionDetails::setConnection(quint64 id)
{
    m_id = id;
    m_closed = false;
    m_last = ConnectionSnapshot();
    m_recentSeenRows = -1;
    m_recent->clear();
    m_rateMeter.reset();
    m_rateLine->clear();
    m_lastRateSampleMs = 0;
    m_rttMs = -1;
    refresh();
}

double ConnectionDetails::messageRate() const
{
    return m_rateMeter.perSecond();
}

void ConnectionDetails::refresh()
{
    if (m_id == 0) {
        m_summary->setText(tr("<i>Select a connection to see its watchdogs.</i>"));
        m_summary->setToolTip(QString());
        return;
    }
    const ClosedRecord *ended = nullptr;
    if (const ConnectionSnapshot *s = m_connections->snapshotFor(m_id)) {
        m_last = *s;
        m_closed = false;
    } else {
        m_closed = true;
        ended = m_history->recordFor(m_id);
        if (ended)
            m_last = ended->last;
    }
    const ConnectionSnapshot &s = m_last;
    const qint64 now = MonotonicClock::nowMs();
    if (!m_closed && now - m_lastRateSampleMs >= RateSampleMs) {
        m_lastRateSampleMs = now;
        m_rateMeter.add(now, s.messagesIn);
        m_rateLine->addSample(m_rateMeter.perSecond());
    }
    QStringList full; // the tooltip: every value whole, one per line
    auto row = [&full](const QString &name, const QString &value) {
        full << name + QStringLiteral(": ") + value;
        return QStringLiteral("<tr><td style='padding-right:10px'><b>%1</b></td><td>%2</td></tr>")
            .arg(name, elided(value).toHtmlEscaped());
    };
    QString html = QStringLiteral("<table>");
    // A fleet's ids carry the instance (FleetId): the vigild's own id shows.
    const quint64 shownId = FleetId::local(m_id);
    html += row(tr("Connection"), m_closed ? tr("%1 (closed)").arg(shownId) : QString::number(shownId));
    if (const QString instance = m_connections->instanceOf(m_id); !instance.isEmpty())
        html += row(tr("Instance"), instance);
    if (ended) {
        html += row(tr("Closed"), tr("%1 at %2")
                                      .arg(ClosedConnectionModel::reasonText(*ended),
                                           QDateTime::fromMSecsSinceEpoch(ended->closedWallMs)
                                               .toString(QStringLiteral("HH:mm:ss"))));
        html += row(tr("Duration"), FeedText::span(ended->durationMs()));
    }
    if (!s.peer.isEmpty()) {
        html += row(tr("Peer"), s.peer);
        if (!s.proxy.isEmpty())
            html += row(tr("Via proxy"), s.proxy);
        if (!s.tlsVersion.isEmpty())
            html += row(tr("TLS"), s.tlsVersion + QStringLiteral(", ") + s.tlsCipher);
        html += row(tr("Client"), s.hello ? (s.client.isEmpty() ? tr("HELLO without a name") : s.client) : tr("no HELLO"));
        html += row(tr("Framing / policy"), framingName(s.framing) + QStringLiteral(" / ") + policyName(s.timers.policy));
        html += row(tr("Idle timeout"), timerText(s.timers.idleTimeoutMs, m_closed ? 0 : s.idleDeadlineMs, now));
        html += row(tr("Max lifetime"), timerText(s.timers.maxLifetimeMs, m_closed ? 0 : s.lifetimeDeadlineMs, now));
        html += row(tr("Write timeout"), timerText(s.timers.writeTimeoutMs, m_closed ? 0 : s.writeDeadlineMs, now));
        html += row(tr("Probe interval"), s.timers.probeIntervalMs ? formatDuration(s.timers.probeIntervalMs) : tr("off"));
        if (m_rttMs >= 0)
            html += row(tr("Probe round trip"), tr("%1 ms").arg(m_rttMs));
        html += row(tr("Messages in / out"),
                    QStringLiteral("%1 / %2").arg(FeedText::count(s.messagesIn), FeedText::count(s.messagesOut)));
        if (!s.lastMessage.isEmpty())
            html += row(tr("Last message"), TrafficLogModel::printable(s.lastMessage));
        html += row(tr("Bytes in / out"), QStringLiteral("%1 / %2").arg(FeedText::bytes(s.bytesIn), FeedText::bytes(s.bytesOut)));
        if (!m_closed)
            html += row(tr("Pending out"), FeedText::bytes(s.pendingOut));
        if (s.upstream) {
            html += row(tr("Upstream"), s.upstream->address + QStringLiteral(", ") + QLatin1String(upstreamStateName(s.upstream->state)));
            html += row(tr("To / from it"), QStringLiteral("%1 / %2").arg(FeedText::bytes(s.upstream->bytesOut), FeedText::bytes(s.upstream->bytesIn)));
            if (!m_closed)
                html += row(tr("Waiting for it"), FeedText::bytes(s.upstream->pendingOut));
        }
    }
    html += QStringLiteral("</table>");
    m_summary->setText(html);
    m_summary->setToolTip(full.join(QLatin1Char('\n')));

    // The log only grows at its end (or is trimmed in front): rescan only
    // when its size changed.
    const int rows = m_traffic->rowCount();
    if (rows == m_recentSeenRows)
        return;
    m_recentSeenRows = rows;
    QStringList lines;
    // The newest PONG and the server PING before it: the probe's round trip.
    qint64 pongAtMs = -1;
    qint64 rtt = -1;
    for (int r = rows - 1; r >= 0 && lines.size() < RecentEvents; --r) {
        const ServerEvent *e = m_traffic->eventAt(r);
        if (!e || e->conn != m_id)
            continue;
        if (e->kind == EventKind::PongIn && pongAtMs < 0)
            pongAtMs = e->atMs;
        else if (e->kind == EventKind::PingOut && pongAtMs >= 0 && rtt < 0)
            rtt = std::max<qint64>(0, pongAtMs - e->atMs);
        QString line = QDateTime::fromMSecsSinceEpoch(e->wallMs).toString(QStringLiteral("HH:mm:ss.zzz "))
            + shortKind(e->kind);
        if (e->kind == EventKind::Closed || e->kind == EventKind::Rejected)
            line += QLatin1Char(' ') + FeedText::closeReason(e->reason);
        else if (e->kind == EventKind::Timeout)
            line += QLatin1Char(' ') + FeedText::timeoutKind(e->timeout);
        else if (!e->preview.isEmpty())
            line += QLatin1Char(' ') + TrafficLogModel::printable(e->preview);
        lines.prepend(line);
    }
    m_recent->setPlainText(lines.join(QLatin1Char('\n')));
    if (rtt >= 0)
        m_rttMs = rtt;
}

QString ConnectionDetails::text() const
{
    return m_summary->text() + QLatin1Char('\n') + m_recent->toPlainText();
}

} // namespace Vigil
