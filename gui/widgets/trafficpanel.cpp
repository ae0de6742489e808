// TrafficPanel: one filter bar and one follow-tail rule for the traffic
// log of every server's view.
#include "trafficpanel.h"

#include "feedtext.h"
#include "payloaddialog.h"
#include "tablesetup.h"
#include "trafficfilterproxy.h"
#include "trafficlogmodel.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QGuiApplication>
#include <QColor>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace Vigil {

TrafficPanel::TrafficPanel(TrafficLogModel *model, Controls controls, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new TrafficFilterProxy(this))
{
    m_proxy->setSourceModel(m_model);
    auto *filter = new QLineEdit(this);
    filter->setPlaceholderText(tr("Filter text…"));
    filter->setObjectName(QStringLiteral("trafficFilter"));
    filter->setClearButtonEnabled(true);
    filter->setToolTip(tr("Show only events whose time, connection, peer, event or detail contains this text"));
    // The other controls never squeeze the box to "Fi…".
    filter->setMinimumWidth(fontMetrics().averageCharWidth() * 22);
    connect(filter, &QLineEdit::textChanged, m_proxy, &TrafficFilterProxy::setText);

    auto *kind = new QComboBox(this);
    kind->addItem(tr("All events"), TrafficFilterProxy::AnyKind);
    kind->addItem(tr("Messages"), TrafficFilterProxy::MessagesKind);
    kind->addItem(tr("PING / PONG"), TrafficFilterProxy::PingsKind);
    kind->addItem(tr("Timeouts and closes"), TrafficFilterProxy::EndsKind);
    for (EventKind k : {EventKind::Connected, EventKind::Hello, EventKind::Timeout, EventKind::Closed, EventKind::Rejected})
        kind->addItem(FeedText::eventKind(k), int(k));
    kind->setToolTip(tr("Show only one kind of event"));
    connect(kind, &QComboBox::currentIndexChanged, this,
            [this, kind] { m_proxy->setKind(kind->currentData().toInt()); });

    auto *bar = new QHBoxLayout;
    bar->addWidget(filter, 1);
    bar->addWidget(kind);
    m_connectionField = new QLineEdit(this);
    m_connectionField->setPlaceholderText(tr("Conn id"));
    m_connectionField->setClearButtonEnabled(true);
    m_connectionField->setToolTip(tr("Show only the events of this connection id (Connection > Show Traffic fills it in)"));
    m_connectionField->setMaximumWidth(fontMetrics().averageCharWidth() * 14);
    m_connectionField->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d*")), this));
    connect(m_connectionField, &QLineEdit::textChanged, this,
            [this](const QString &text) { m_proxy->setConnection(text.toULongLong()); });
    bar->addWidget(m_connectionField);
    if (controls == Controls::WithHex) {
        auto *hex = new QCheckBox(tr("He&x"), this);
        hex->setToolTip(tr("Payload previews as hex bytes instead of text (double-click a message for hex and ASCII)"));
        connect(hex, &QCheckBox::toggled, m_model, &TrafficLogModel::setHexMode);
        bar->addWidget(hex);
    }

    auto *pause = new QCheckBox(tr("&Pause"), this);
    pause->setToolTip(tr("Hold new events (a bounded backlog) so the rows stand still; they arrive on resume"));
    connect(pause, &QCheckBox::toggled, m_model, &TrafficLogModel::setPaused);
    m_followBox = new QCheckBox(tr("&Follow"), this);
    m_followBox->setChecked(true);
    m_followBox->setToolTip(tr("Keep the newest event in view"));
    m_skippedLabel = new QLabel(this);
    m_skippedLabel->setObjectName(QStringLiteral("skippedLabel"));
    // However large the count, the label is cut before it squeezes the
    // filter or widens the dock (the log's own "skipped" rows say it too).
    m_skippedLabel->setMinimumWidth(1);
    m_skippedLabel->setToolTip(tr("Events not shown: under heavy load the log keeps a sample, and a paused log keeps a bounded backlog"));
    connect(m_model, &TrafficLogModel::skippedChanged, this, [this](quint64 skipped) {
        m_skippedLabel->setText(skipped ? tr("<span style='color:%1'>%2 skipped</span>")
                                              .arg(FeedText::readable(QColor(0x9a, 0x6b, 0x00)).name(), FeedText::count(skipped))
                                        : QString());
    });
    auto *clear = new QPushButton(tr("Clear"), this);
    clear->setToolTip(tr("Empty this log (the server and the history are not affected)"));
    connect(clear, &QPushButton::clicked, m_model, &TrafficLogModel::clear);

    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    setupTable(m_view);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    setTrafficColumnWidths(m_view);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &TrafficPanel::scheduleFollowTail);
    // Ctrl+C copies whole rows (time, conn, peer, event, detail), tab-separated.
    auto *copy = new QAction(tr("&Copy Rows"), m_view);
    copy->setObjectName(QStringLiteral("copyTrafficRowsAction"));
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, &TrafficPanel::copySelectedRows);
    m_view->addAction(copy);
    // Double-click (or the menu) shows a message's payload in hex and ASCII.
    auto *inspect = new QAction(tr("&Inspect Payload…"), m_view);
    inspect->setObjectName(QStringLiteral("inspectPayloadAction"));
    connect(inspect, &QAction::triggered, this, [this] { inspectPayload(m_view->currentIndex()); });
    m_view->addAction(inspect);
    connect(m_view, &QAbstractItemView::doubleClicked, this, &TrafficPanel::inspectPayload);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);

    bar->addWidget(pause);
    bar->addWidget(m_followBox);
    bar->addWidget(m_skippedLabel);
    bar->addWidget(clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
}

QString TrafficPanel::selectedRowsText() const
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList lines;
    for (const QModelIndex &row : rows) {
        QStringList cells;
        for (int c = 0; c < m_proxy->columnCount(); ++c)
            cells << m_proxy->index(row.row(), c).data().toString();
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n'));
}

void TrafficPanel::copySelectedRows()
{
    const QString text = selectedRowsText();
    if (!text.isEmpty())
        QGuiApplication::clipboard()->setText(text);
}

PayloadDialog *TrafficPanel::inspectPayload(const QModelIndex &index)
{
    if (!index.isValid())
        return nullptr;
    const ServerEvent *e = m_model->eventAt(m_proxy->mapToSource(index).row());
    if (!e || e->preview.isEmpty())
        return nullptr;
    const QString title = tr("%1 · connection %2 · %3 B").arg(FeedText::eventKind(e->kind)).arg(e->conn).arg(e->size);
    auto *dialog = new PayloadDialog(title, e->preview, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("payloadDialog"));
    dialog->show();
    return dialog;
}

void TrafficPanel::showConnection(quint64 id)
{
    m_connectionField->setText(QString::number(id));
}

void TrafficPanel::scheduleFollowTail()
{
    // Coalesce: one scroll per event-loop pass, however many batches landed.
    if (m_followScheduled || !m_followBox->isChecked())
        return;
    m_followScheduled = true;
    QTimer::singleShot(0, this, [this] {
        m_followScheduled = false;
        if (m_followBox->isChecked())
            m_view->scrollToBottom();
    });
}

} // namespace Vigil
