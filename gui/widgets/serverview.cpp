// ServerView: the models, panels and countdowns of one server, fed by any
// ServerSource. While contact is lost the rows stay, greyed, under a
// banner; when the server stops they go (every connection got its BYE).
#include "serverview.h"

#include "closedconnectionmodel.h"
#include "connectiondetails.h"
#include "connectionfilterproxy.h"
#include "connectionpanel.h"
#include "connectiontablemodel.h"
#include "feedtext.h"
#include "fleetid.h"
#include "fleetsummarypanel.h"
#include "historypanel.h"
#include "statspanel.h"
#include "trafficlogmodel.h"
#include "trafficpanel.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QHeaderView>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace Vigil {

namespace {
// Banner colours: red once contact failed, amber while (re)connecting;
// deep tones with light text on a dark palette.
QString lostStyle()
{
    return FeedText::darkPalette()
        ? QStringLiteral("QLabel { background: #5c1a14; color: #ffd9d4; padding: 6px;"
                         " border: 1px solid #8a3a31; border-radius: 3px; }")
        : QStringLiteral("QLabel { background: #fde2e1; color: #8a1f11; padding: 6px;"
                         " border: 1px solid #e0a9a4; border-radius: 3px; }");
}

QString connectingStyle()
{
    return FeedText::darkPalette()
        ? QStringLiteral("QLabel { background: #4a3a0a; color: #ffedb8; padding: 6px;"
                         " border: 1px solid #7a6420; border-radius: 3px; }")
        : QStringLiteral("QLabel { background: #fff4d6; color: #6b4e00; padding: 6px;"
                         " border: 1px solid #e5cf8f; border-radius: 3px; }");
}
} // namespace

ServerView::ServerView(ServerSource *source, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_connectionModel(new ConnectionTableModel(this))
    , m_trafficModel(new TrafficLogModel(this))
    , m_historyModel(new ClosedConnectionModel(this))
{
    m_source->setParent(this);

    // The banner: what is wrong, and what the operator can do about it.
    m_bannerBox = new QWidget(this);
    m_bannerBox->setObjectName(QStringLiteral("serverBannerBox"));
    m_banner = new QLabel(m_bannerBox);
    m_banner->setObjectName(QStringLiteral("serverBanner"));
    m_banner->setWordWrap(true);
    m_banner->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_retryButton = new QPushButton(tr("&Retry Now"), m_bannerBox);
    m_retryButton->setObjectName(QStringLiteral("retryNowButton"));
    m_retryButton->setToolTip(tr("Try to reach the server again now instead of waiting"));
    connect(m_retryButton, &QPushButton::clicked, this, &ServerView::retryNow);
    m_tokenButton = new QPushButton(tr("Change &Token…"), m_bannerBox);
    m_tokenButton->setObjectName(QStringLiteral("changeTokenButton"));
    m_tokenButton->setToolTip(tr("Enter the admin token again (vigild's --admin-token-file)"));
    connect(m_tokenButton, &QPushButton::clicked, this, &ServerView::editToken);
    auto *bannerLayout = new QHBoxLayout(m_bannerBox);
    bannerLayout->setContentsMargins(4, 4, 4, 0);
    bannerLayout->addWidget(m_banner, 1);
    bannerLayout->addWidget(m_tokenButton);
    bannerLayout->addWidget(m_retryButton);
    m_bannerBox->hide();

    m_connections = new ConnectionPanel(m_connectionModel, this);
    m_connections->setEmptyText(m_source->can(ServerSource::Capability::StartStop)
                                    ? tr("No connections yet. Start the server, then connect a client, e.g. "
                                         "vigil-client or nc 127.0.0.1 PORT.")
                                    : tr("No connections on this server right now."));
    m_connections->filter()->setObjectName(QStringLiteral("connectionFilter"));
    m_connections->view()->setObjectName(QStringLiteral("connectionView"));
    connect(m_connections->view(), &QAbstractItemView::doubleClicked, this, &ServerView::detailsRequested);
    connect(m_connections, &ConnectionPanel::selectionChanged, this, &ServerView::handleSelectionChanged);
    connect(m_connections->filter(), &QLineEdit::textChanged, this, &ServerView::matchingChanged);
    // Closed rows go to the history before they leave the table, so the
    // log's "closed" row and the details pane can tell how each one ended.
    connect(m_connectionModel, &ConnectionTableModel::connectionsClosed, m_historyModel, &ClosedConnectionModel::add);
    // HELLO names come from the rows (and, for a closed one, the history).
    m_trafficModel->setClientOf([this](const ServerEvent &e) {
        if (const ConnectionSnapshot *s = m_connectionModel->snapshotFor(e.conn))
            return s->client;
        if (const ClosedRecord *r = m_historyModel->recordFor(e.conn))
            return r->last.client;
        return QString();
    });
    m_trafficModel->setCloseNote([this](const ServerEvent &e) {
        const ClosedRecord *r = m_historyModel->recordFor(e.conn);
        return r && r->reason == e.reason ? ClosedConnectionModel::summary(*r) : QString();
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_bannerBox);
    const QList<ServerSource *> members = m_source->members();
    if (members.isEmpty()) {
        layout->addWidget(m_connections, 1);
    } else {
        // A fleet: its instances at a glance, and one table of all their
        // connections with the instance in a column of its own.
        m_connectionModel->setInstanceResolver([source = m_source](quint64 id) { return source->instanceOf(id); });
        showInstanceColumn();
        m_connections->setEmptyText(tr("No connections on any instance of this fleet right now."));
        m_fleetSummary = new FleetSummaryPanel(members, this);
        m_pages = new QTabWidget(this);
        m_pages->setObjectName(QStringLiteral("fleetPages"));
        m_pages->setDocumentMode(true);
        m_pages->addTab(m_fleetSummary, tr("Summary"));
        m_pages->addTab(m_connections, tr("Connections"));
        m_pages->setTabToolTip(0, tr("One row per vigild: up or down, connections, rates, timeouts, closes, lateness"));
        m_pages->setTabToolTip(1, tr("Every instance's connections; filter, sort, kick and Kick Matching act across them"));
        connect(m_fleetSummary, &FleetSummaryPanel::instanceActivated, this, [this](const QString &instance) {
            m_connections->filter()->setText(instance);
            m_pages->setCurrentWidget(m_connections);
        });
        layout->addWidget(m_pages, 1);
    }

    // Every view has the same controls; an attached vigild sends payloads
    // only with --admin-previews (without, hex shows sizes alone).
    m_traffic = new TrafficPanel(m_trafficModel, TrafficPanel::Controls::WithHex);
    m_traffic->view()->setObjectName(QStringLiteral("trafficView"));
    m_stats = new StatsPanel;
    m_details = new ConnectionDetails(m_connectionModel, m_trafficModel, m_historyModel);
    m_history = new HistoryPanel(m_historyModel);
    connect(m_history, &HistoryPanel::connectionSelected, this, [this](quint64 id) {
        m_details->setConnection(id);
        emit detailsRequested();
    });

    m_countdownTimer.setInterval(ConnectionPanel::CountdownRepaintMs);
    m_countdownTimer.setTimerType(Qt::CoarseTimer);
    connect(&m_countdownTimer, &QTimer::timeout, this, &ServerView::handleCountdownTick);

    connect(m_source, &ServerSource::batchPublished, this, &ServerView::handleBatch);
    connect(m_source, &ServerSource::statsUpdated, this, &ServerView::handleStats);
    connect(m_source, &ServerSource::statusChanged, this, &ServerView::handleSourceStatus);
    connect(m_source, &ServerSource::kickFinished, this, &ServerView::handleKickFinished);
    // Ids start again after a restart: a line in the log says where.
    connect(m_source, &ServerSource::serverRestarted, this, [this](const QString &detail) {
        m_trafficModel->appendMarker(detail);
    });
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
    delete m_history.data();
}

void ServerView::handleSelectionChanged()
{
    // A selected row that closed leaves the selection: its details stay,
    // now with how it ended, until the operator selects something else.
    const QList<quint64> ids = selectedConnections();
    const quint64 shown = m_details->connection();
    // The history has it before the row goes.
    const bool shownClosed = shown != 0 && m_historyModel->recordFor(shown);
    if (!ids.isEmpty())
        m_details->setConnection(ids.constFirst());
    else if (shownClosed)
        m_details->refresh();
    else
        m_details->setConnection(0);
    emit selectionChanged();
}

void ServerView::styleBanner()
{
    m_banner->setStyleSheet(m_source->state() == ServerSource::State::Connecting ? connectingStyle() : lostStyle());
}

// The system switched between light and dark while the banner shows: its
// colours are fixed in a style sheet, so they follow by hand.
void ServerView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange && m_source->isTroubled())
        styleBanner();
    QWidget::changeEvent(event);
}

void ServerView::handleBatch(const ServerBatch &batch)
{
    // An attached vigild's close can arrive after the poll that dropped
    // its row: the history learns the reason then.
    for (const ClosedConnection &c : batch.closed) {
        if (m_connectionModel->rowOf(c.id) < 0)
            m_historyModel->resolveReason(c.id, c.reason);
    }
    if (!batch.updated.isEmpty() || !batch.closed.isEmpty() || batch.full)
        m_connections->applyBatch(batch);
    // The connection in the details pane closed: it says how, at once.
    const quint64 shown = m_details->connection();
    if (shown && (batch.full || std::any_of(batch.closed.cbegin(), batch.closed.cend(),
                                            [shown](const ClosedConnection &c) { return c.id == shown; })))
        m_details->refresh();
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
        // Every open connection got its BYE server-shutdown.
        if (m_source->can(ServerSource::Capability::StartStop))
            m_historyModel->add(m_connectionModel->closeAll(CloseReason::ServerShutdown));
        m_connectionModel->clear();
        m_details->refresh();
        m_stats->stop();
    }
    m_lastState = state;

    if (m_source->isTroubled()) {
        const bool connecting = state == State::Connecting;
        QString text = m_source->statusText();
        if (!text.isEmpty())
            text[0] = text[0].toUpper();
        m_banner->setText(text);
        m_banner->setToolTip(text);
        styleBanner();
        m_retryButton->setVisible(m_source->can(ServerSource::Capability::Retry) && !connecting);
        m_tokenButton->setVisible(m_source->can(ServerSource::Capability::Token) && state == State::Unauthorized);
        m_bannerBox->show();
    } else {
        m_bannerBox->hide();
        m_banner->clear();
    }
    // While out of contact the last known rows stay, greyed and frozen:
    // their countdowns would be guesses. The first answer replaces them.
    m_connections->view()->setEnabled(!m_source->isTroubled());
    m_stats->setStale(m_source->isTroubled());
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
    m_lastKickError = ok ? QString() : tr("Kick of connection %1 failed: %2").arg(FleetId::local(id)).arg(error);
    if (!ok)
        emit kickFailed(m_lastKickError);
}

void ServerView::restoreConnectionHeader(const QByteArray &state)
{
    if (!state.isEmpty())
        m_connections->view()->horizontalHeader()->restoreState(state);
    // The saved header is the first tab's, which has no Instance column.
    if (m_fleetSummary)
        showInstanceColumn();
    else
        m_connections->view()->horizontalHeader()->setSectionHidden(ConnectionTableModel::InstanceColumn, true);
}

void ServerView::showInstanceColumn()
{
    // Right after the ID: which vigild holds a row matters before the rest.
    QHeaderView *header = m_connections->view()->horizontalHeader();
    header->setSectionHidden(ConnectionTableModel::InstanceColumn, false);
    header->moveSection(header->visualIndex(ConnectionTableModel::InstanceColumn),
                        header->visualIndex(ConnectionTableModel::IdColumn) + 1);
}

QString ServerView::bannerText() const
{
    return m_bannerBox->isHidden() ? QString() : m_banner->text();
}

void ServerView::retryNow()
{
    m_source->retryNow();
}

void ServerView::editToken()
{
    // Non-blocking: the other tabs keep updating while it is open.
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("tokenDialog"));
    dialog->setWindowTitle(tr("Admin Token for %1").arg(m_source->title()));
    dialog->setLabelText(tr("Token (the contents of vigild's --admin-token-file):"));
    dialog->setTextEchoMode(QLineEdit::Password);
    dialog->setTextValue(m_source->token());
    connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString &token) {
        m_source->setToken(token);
        emit tokenChanged(token.trimmed());
    });
    dialog->open();
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

HistoryPanel *ServerView::historyPanel() const
{
    return m_history;
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

int ServerView::matchingConnectionCount() const
{
    return connectionProxy()->rowCount();
}

bool ServerView::isFiltered() const
{
    return !m_connections->filter()->text().trimmed().isEmpty();
}

QList<quint64> ServerView::matchingConnections() const
{
    QList<quint64> ids;
    const ConnectionFilterProxy *proxy = connectionProxy();
    ids.reserve(proxy->rowCount());
    for (int r = 0; r < proxy->rowCount(); ++r)
        ids << proxy->index(r, 0).data(ConnectionTableModel::IdRole).toULongLong();
    return ids;
}

int ServerView::kickMatching()
{
    const QList<quint64> ids = matchingConnections();
    for (quint64 id : ids)
        m_source->kick(id);
    return int(ids.size());
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
