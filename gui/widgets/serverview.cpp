// ServerView: the models, panels and countdowns of one server, fed by any
// ServerSource. While contact is lost the rows stay, greyed, under a
// banner; when the server stops they go (every connection got its BYE).
#include "serverview.h"

#include "connectiondetails.h"
#include "connectionpanel.h"
#include "connectiontablemodel.h"
#include "statspanel.h"
#include "trafficlogmodel.h"
#include "trafficpanel.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QLineEdit>
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

ServerView::ServerView(ServerSource *source, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_connectionModel(new ConnectionTableModel(this))
    , m_trafficModel(new TrafficLogModel(this))
{
    m_source->setParent(this);

    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("serverBanner"));
    m_banner->setWordWrap(true);
    m_banner->hide();

    m_connections = new ConnectionPanel(m_connectionModel, this);
    m_connections->filter()->setObjectName(QStringLiteral("connectionFilter"));
    m_connections->view()->setObjectName(QStringLiteral("connectionView"));
    connect(m_connections->view(), &QAbstractItemView::doubleClicked, this, &ServerView::detailsRequested);
    connect(m_connections, &ConnectionPanel::selectionChanged, this, [this] {
        const QList<quint64> ids = selectedConnections();
        m_details->setConnection(ids.isEmpty() ? 0 : ids.constFirst());
        emit selectionChanged();
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_banner);
    layout->addWidget(m_connections, 1);

    // The hex switch needs payload previews.
    m_traffic = new TrafficPanel(m_trafficModel,
                                 m_source->hasPreviews() ? TrafficPanel::Controls::WithHex : TrafficPanel::Controls::Basic);
    m_traffic->view()->setObjectName(QStringLiteral("trafficView"));
    m_stats = new StatsPanel;
    m_details = new ConnectionDetails(m_connectionModel, m_trafficModel);

    m_countdownTimer.setInterval(ConnectionPanel::CountdownRepaintMs);
    m_countdownTimer.setTimerType(Qt::CoarseTimer);
    connect(&m_countdownTimer, &QTimer::timeout, this, &ServerView::handleCountdownTick);

    connect(m_source, &ServerSource::batchPublished, this, &ServerView::handleBatch);
    connect(m_source, &ServerSource::statsUpdated, this, &ServerView::handleStats);
    connect(m_source, &ServerSource::statusChanged, this, &ServerView::handleSourceStatus);
    connect(m_source, &ServerSource::kickFinished, this, &ServerView::handleKickFinished);
    m_lastState = m_source->state();
    handleSourceStatus();
}

ServerView::~ServerView()
{
    // No status signals into a view being torn down.
    disconnect(m_source, nullptr, this, nullptr);
    m_source->stop();
    // The dock pages live wherever the window put them, but are this view's.
    delete m_traffic.data();
    delete m_stats.data();
    delete m_details.data();
}

void ServerView::handleBatch(const ServerBatch &batch)
{
    if (!batch.updated.isEmpty() || !batch.closed.isEmpty() || batch.full)
        m_connections->applyBatch(batch);
    // Sources deliver events in time order already.
    if (batch.events.isEmpty() && !batch.eventsDropped)
        return;
    // 50,000 msgs/s would be 100,000 rows a second: show a sample.
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
    using State = ServerSource::State;
    const State state = m_source->state();
    // A fresh start shows a fresh table and fresh figures; a stop closed
    // every connection.
    if (m_lastState == State::Stopped && state != State::Stopped) {
        m_connectionModel->clear();
        m_details->setConnection(0);
        m_stats->reset();
    } else if (m_lastState != State::Stopped && state == State::Stopped) {
        m_connectionModel->clear();
        m_details->refresh();
    }
    m_lastState = state;

    if (m_source->isTroubled()) {
        const bool connecting = state == State::Connecting;
        QString text = m_source->statusText();
        if (!text.isEmpty())
            text[0] = text[0].toUpper();
        m_banner->setText(text);
        m_banner->setStyleSheet(connecting ? ConnectingStyle : LostStyle);
        m_banner->show();
    } else {
        m_banner->hide();
        m_banner->clear();
    }
    // While out of contact the last known rows stay, greyed and frozen:
    // their countdowns would be guesses. The first answer replaces them.
    m_connections->view()->setEnabled(!m_source->isTroubled());
    if (state == State::Connected && !m_countdownTimer.isActive())
        m_countdownTimer.start();
    else if (state != State::Connected)
        m_countdownTimer.stop();
    emit statusChanged();
}

void ServerView::handleCountdownTick()
{
    m_connectionModel->refreshCountdowns();
    if (m_details->isVisible())
        m_details->refresh();
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
    if (m_source->state() != ServerSource::State::Connected)
        return m_source->statusText();
    return tr("%1 · %2 · %3")
        .arg(m_source->statusText(), StatsPanel::connectionCountText(m_source->lastStats().open), m_stats->rateText());
}

TrafficPanel *ServerView::trafficPanel() const
{
    return m_traffic;
}

StatsPanel *ServerView::statsPanel() const
{
    return m_stats;
}

ConnectionDetails *ServerView::details() const
{
    return m_details;
}

ConnectionFilterProxy *ServerView::connectionProxy() const
{
    return m_connections->proxy();
}

TrafficFilterProxy *ServerView::trafficProxy() const
{
    return m_traffic->proxy();
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

void ServerView::setContextMenu(QMenu *menu)
{
    m_connections->setContextMenu(menu);
}

void ServerView::kickSelected()
{
    for (quint64 id : selectedConnections())
        m_source->kick(id);
}

void ServerView::copySelectedPeers()
{
    QStringList peers;
    const QModelIndexList rows = connectionView()->selectionModel()->selectedRows(ConnectionTableModel::PeerColumn);
    for (const QModelIndex &index : rows)
        peers << index.data().toString();
    if (!peers.isEmpty())
        QApplication::clipboard()->setText(peers.join(QLatin1Char('\n')));
}

void ServerView::showTrafficOfSelected()
{
    const QList<quint64> ids = selectedConnections();
    if (!ids.isEmpty())
        m_traffic->showConnection(ids.constFirst());
}

void ServerView::refreshDetails()
{
    m_details->refresh();
}

} // namespace Vigil
