// ServerView: the connection and traffic panels the embedded server uses,
// laid out in one tab for a remote source; while contact is lost the rows
// stay, greyed, under a banner.
#include "serverview.h"

#include "connectionpanel.h"
#include "connectiontablemodel.h"
#include "statspanel.h"
#include "trafficlogmodel.h"
#include "trafficpanel.h"

#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace Vigil {

namespace {
// Banner colours: red once contact failed, amber while (re)connecting.
const QString LostStyle = QStringLiteral("QLabel { background: #fde2e1; color: #8a1f11; padding: 6px;"
                                         " border: 1px solid #e0a9a4; border-radius: 3px; }");
const QString ConnectingStyle = QStringLiteral("QLabel { background: #fff4d6; color: #6b4e00; padding: 6px;"
                                               " border: 1px solid #e5cf8f; border-radius: 3px; }");
} // namespace

ServerView::ServerView(RemoteServerSource *source, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_connectionModel(new ConnectionTableModel(this))
    , m_trafficModel(new TrafficLogModel(this))
{
    m_source->setParent(this);

    m_kickAction = ConnectionPanel::createKickAction(this);
    connect(m_kickAction, &QAction::triggered, this, &ServerView::kickSelected);

    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("remoteBanner"));
    m_banner->setWordWrap(true);
    m_banner->hide();

    m_stats = new StatsPanel(this);
    auto *top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(createConnectionsPanel());
    top->addWidget(m_stats);
    top->setStretchFactor(0, 1);
    top->setSizes({900, 260});
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(createTrafficPanel());
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(m_banner);
    layout->addWidget(split, 1);

    m_countdownTimer.setInterval(ConnectionPanel::CountdownRepaintMs);
    m_countdownTimer.setTimerType(Qt::CoarseTimer);
    connect(&m_countdownTimer, &QTimer::timeout, m_connectionModel, &ConnectionTableModel::refreshCountdowns);

    connect(m_source, &RemoteServerSource::batchPublished, this, &ServerView::handleBatch);
    connect(m_source, &RemoteServerSource::statsUpdated, this, &ServerView::handleStats);
    connect(m_source, &RemoteServerSource::statusChanged, this, &ServerView::handleSourceStatus);
    connect(m_source, &RemoteServerSource::kickFinished, this, &ServerView::handleKickFinished);
    m_source->start();
    handleSourceStatus();
}

ServerView::~ServerView()
{
    // No status signals into a view being torn down.
    disconnect(m_source, nullptr, this, nullptr);
    m_source->stop();
}

QWidget *ServerView::createConnectionsPanel()
{
    m_connections = new ConnectionPanel(m_connectionModel, this);
    // The banner above already keeps the table off the tab bar.
    m_connections->layout()->setContentsMargins(4, 0, 4, 0);
    QTableView *view = m_connections->view();
    view->setObjectName(QStringLiteral("remoteConnectionView"));
    view->addAction(m_kickAction);
    auto *menu = new QMenu(this);
    menu->addAction(m_kickAction);
    m_connections->setContextMenu(menu);
    connect(m_connections, &ConnectionPanel::selectionChanged, this, [this] {
        m_kickAction->setEnabled(hasSelection() && m_source->state() == RemoteServerSource::State::Connected);
        emit selectionChanged();
    });
    m_kickAction->setEnabled(false);
    return m_connections;
}

QWidget *ServerView::createTrafficPanel()
{
    m_traffic = new TrafficPanel(m_trafficModel, TrafficPanel::Controls::Basic, this);
    m_traffic->view()->setObjectName(QStringLiteral("remoteTrafficView"));
    return m_traffic;
}

void ServerView::handleBatch(const ServerBatch &batch)
{
    if (!batch.updated.isEmpty() || !batch.closed.isEmpty() || batch.full) {
        m_connections->applyBatch(batch);
    }
    // One remote ring, already in order: no merging across threads needed.
    if (batch.events.isEmpty() && !batch.eventsDropped)
        return;
    // Under load the log shows a sample, as the embedded server's does.
    QVector<ServerEvent> events = batch.events;
    const quint64 sampledOut = TrafficLogModel::keepNewest(events);
    m_trafficModel->appendEvents(events, batch.eventsDropped, sampledOut);
}

void ServerView::handleStats(const ServerStats &stats)
{
    m_stats->addSample(stats);
    emit statusChanged();
}

void ServerView::handleSourceStatus()
{
    using State = RemoteServerSource::State;
    const State state = m_source->state();
    const bool connected = state == State::Connected;
    if (connected) {
        m_banner->hide();
        m_banner->clear();
    } else {
        const bool failed = state == State::Lost || state == State::Unauthorized || state == State::BadResponse;
        QString text = m_source->statusText();
        text[0] = text[0].toUpper();
        m_banner->setText(text);
        m_banner->setStyleSheet(failed ? LostStyle : ConnectingStyle);
        m_banner->show();
    }
    // While out of contact the last known rows stay, greyed and frozen:
    // their countdowns would be guesses. The first answer replaces them.
    m_connections->view()->setEnabled(connected);
    if (connected && !m_countdownTimer.isActive())
        m_countdownTimer.start();
    else if (!connected)
        m_countdownTimer.stop();
    m_kickAction->setEnabled(connected && hasSelection());
    emit statusChanged();
}

void ServerView::handleKickFinished(quint64 id, bool ok, const QString &error)
{
    m_lastKickError = ok ? QString() : tr("Kick of connection %1 failed: %2").arg(id).arg(error);
    if (!ok)
        emit kickFailed(m_lastKickError);
}

QString ServerView::bannerText() const
{
    return m_banner->isHidden() ? QString() : m_banner->text();
}

QString ServerView::statusText() const
{
    if (m_source->state() != RemoteServerSource::State::Connected)
        return m_source->statusText();
    return tr("%1 · %2 · %3")
        .arg(m_source->statusText(), StatsPanel::connectionCountText(m_source->lastStats().open), m_stats->rateText());
}

ConnectionFilterProxy *ServerView::connectionProxy() const
{
    return m_connections->proxy();
}

QTableView *ServerView::connectionView() const
{
    return m_connections->view();
}

QTableView *ServerView::trafficView() const
{
    return m_traffic->view();
}

QList<quint64> ServerView::selectedConnections() const
{
    return m_connections->selectedConnections();
}

bool ServerView::hasSelection() const
{
    return m_connections->hasSelection();
}

void ServerView::kickSelected()
{
    for (quint64 id : selectedConnections())
        m_source->kick(id);
}

} // namespace Vigil
