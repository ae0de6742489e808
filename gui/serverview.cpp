// ServerView: the embedded server's views, laid out in one tab for a
// remote source; while contact is lost the rows stay, greyed, under a banner.
#include "serverview.h"

#include "connectionfilterproxy.h"
#include "connectiontablemodel.h"
#include "countdowndelegate.h"
#include "statspanel.h"
#include "tablesetup.h"
#include "trafficfilterproxy.h"
#include "trafficlogmodel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace Vigil {

namespace {
// Same cadence as the embedded server's views.
constexpr int CountdownRepaintMs = 150;
constexpr int ProxyRefreshMs = 1000;

const QString LostStyle = QStringLiteral("QLabel { background: #fde2e1; color: #8a1f11; padding: 6px;"
                                         " border: 1px solid #e0a9a4; border-radius: 3px; }");
const QString ConnectingStyle = QStringLiteral("QLabel { background: #fff4d6; color: #6b4e00; padding: 6px;"
                                               " border: 1px solid #e5cf8f; border-radius: 3px; }");
} // namespace

ServerView::ServerView(RemoteServerSource *source, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_connectionModel(new ConnectionTableModel(this))
    , m_connectionProxy(new ConnectionFilterProxy(this))
    , m_trafficModel(new TrafficLogModel(this))
    , m_trafficProxy(new TrafficFilterProxy(this))
{
    m_source->setParent(this);
    m_connectionProxy->setSourceModel(m_connectionModel);
    m_trafficProxy->setSourceModel(m_trafficModel);

    m_kickAction = new QAction(QIcon(QStringLiteral(":/vigil/kick.png")), tr("&Kick"), this);
    m_kickAction->setShortcut(QKeySequence::Delete);
    m_kickAction->setShortcutContext(Qt::WidgetShortcut);
    m_kickAction->setToolTip(tr("Close the selected connections with BYE kicked"));
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

    m_countdownTimer.setInterval(CountdownRepaintMs);
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
    auto *panel = new QWidget(this);
    auto *filter = new QLineEdit(panel);
    filter->setPlaceholderText(tr("Filter by id, peer or client…"));
    filter->setClearButtonEnabled(true);
    connect(filter, &QLineEdit::textChanged, m_connectionProxy, &ConnectionFilterProxy::setFilterText);

    m_connectionView = new QTableView(panel);
    m_connectionView->setObjectName(QStringLiteral("remoteConnectionView"));
    m_connectionView->setModel(m_connectionProxy);
    setupTable(m_connectionView);
    m_connectionView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_connectionView->setSortingEnabled(true);
    m_connectionView->sortByColumn(ConnectionTableModel::IdColumn, Qt::AscendingOrder);
    auto *countdown = new CountdownDelegate(m_connectionView);
    m_connectionView->setItemDelegateForColumn(ConnectionTableModel::IdleLeftColumn, countdown);
    m_connectionView->setItemDelegateForColumn(ConnectionTableModel::LifetimeLeftColumn, countdown);
    setConnectionColumnWidths(m_connectionView);
    m_connectionView->addAction(m_kickAction);
    m_connectionMenu = new QMenu(this);
    m_connectionMenu->addAction(m_kickAction);
    m_connectionView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_connectionView, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        if (m_connectionView->indexAt(pos).isValid())
            m_connectionMenu->popup(m_connectionView->viewport()->mapToGlobal(pos));
    });
    connect(m_connectionView->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        m_kickAction->setEnabled(hasSelection() && m_source->state() == RemoteServerSource::State::Connected);
        emit selectionChanged();
    });
    m_kickAction->setEnabled(false);

    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->addWidget(filter);
    layout->addWidget(m_connectionView, 1);
    return panel;
}

QWidget *ServerView::createTrafficPanel()
{
    auto *panel = new QWidget(this);
    auto *filter = new QLineEdit(panel);
    filter->setPlaceholderText(tr("Filter text…"));
    filter->setClearButtonEnabled(true);
    connect(filter, &QLineEdit::textChanged, m_trafficProxy, &TrafficFilterProxy::setText);

    auto *kind = new QComboBox(panel);
    kind->addItem(tr("All events"), TrafficFilterProxy::AnyKind);
    kind->addItem(tr("Messages"), TrafficFilterProxy::MessagesKind);
    kind->addItem(tr("PING / PONG"), TrafficFilterProxy::PingsKind);
    kind->addItem(tr("Timeouts and closes"), TrafficFilterProxy::EndsKind);
    for (EventKind k : {EventKind::Connected, EventKind::Hello, EventKind::Timeout, EventKind::Closed, EventKind::Rejected})
        kind->addItem(eventKindName(k), int(k));
    connect(kind, &QComboBox::currentIndexChanged, this,
            [this, kind] { m_trafficProxy->setKind(kind->currentData().toInt()); });

    auto *pause = new QCheckBox(tr("&Pause"), panel);
    connect(pause, &QCheckBox::toggled, m_trafficModel, &TrafficLogModel::setPaused);
    m_followBox = new QCheckBox(tr("&Follow"), panel);
    m_followBox->setChecked(true);
    m_skippedLabel = new QLabel(panel);
    connect(m_trafficModel, &TrafficLogModel::skippedChanged, this, [this](quint64 skipped) {
        m_skippedLabel->setText(skipped ? tr("<span style='color:#9a6b00'>%1 skipped</span>").arg(skipped) : QString());
    });
    auto *clear = new QPushButton(tr("Clear"), panel);
    connect(clear, &QPushButton::clicked, m_trafficModel, &TrafficLogModel::clear);

    m_trafficView = new QTableView(panel);
    m_trafficView->setObjectName(QStringLiteral("remoteTrafficView"));
    m_trafficView->setModel(m_trafficProxy);
    setupTable(m_trafficView);
    m_trafficView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    setTrafficColumnWidths(m_trafficView);
    connect(m_trafficProxy, &QAbstractItemModel::rowsInserted, this, &ServerView::scheduleFollowTail);

    auto *bar = new QHBoxLayout;
    bar->addWidget(filter, 1);
    bar->addWidget(kind);
    bar->addWidget(pause);
    bar->addWidget(m_followBox);
    bar->addWidget(m_skippedLabel);
    bar->addWidget(clear);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_trafficView, 1);
    return panel;
}

void ServerView::handleBatch(const ServerBatch &batch)
{
    if (!batch.updated.isEmpty() || !batch.closed.isEmpty() || batch.full) {
        m_connectionModel->applyBatch(batch);
        scheduleProxyRefresh();
    }
    // One remote ring, already in order: no merging across threads needed.
    if (!batch.events.isEmpty() || batch.eventsDropped)
        m_trafficModel->appendEvents(batch.events, batch.eventsDropped);
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
    m_connectionView->setEnabled(connected);
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
    const quint64 open = m_source->lastStats().open;
    return tr("%1 · %2 · in %3 msg/s · out %4 msg/s")
        .arg(m_source->statusText(), open == 1 ? tr("1 connection") : tr("%1 connections").arg(open))
        .arg(m_stats->messagesInPerSecond(), 0, 'f', 0)
        .arg(m_stats->messagesOutPerSecond(), 0, 'f', 0);
}

QList<quint64> ServerView::selectedConnections() const
{
    QList<quint64> ids;
    const QModelIndexList rows = m_connectionView->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        ids << index.data(ConnectionTableModel::IdRole).toULongLong();
    return ids;
}

bool ServerView::hasSelection() const
{
    return m_connectionView->selectionModel()->hasSelection();
}

void ServerView::kickSelected()
{
    for (quint64 id : selectedConnections())
        m_source->kick(id);
}

void ServerView::scheduleProxyRefresh()
{
    // Re-sort and re-filter at most once a second (see MainWindow).
    if (m_refreshScheduled)
        return;
    m_refreshScheduled = true;
    QTimer::singleShot(ProxyRefreshMs, this, [this] {
        m_refreshScheduled = false;
        m_connectionProxy->refresh();
    });
}

void ServerView::scheduleFollowTail()
{
    if (m_followScheduled || !m_followBox->isChecked())
        return;
    m_followScheduled = true;
    QTimer::singleShot(0, this, [this] {
        m_followScheduled = false;
        if (m_followBox->isChecked())
            m_trafficView->scrollToBottom();
    });
}

} // namespace Vigil
