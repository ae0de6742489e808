// TrafficPanel: one filter bar and one follow-tail rule for the traffic
// log of every server's view.
#include "trafficpanel.h"

#include "feedtext.h"
#include "tablesetup.h"
#include "trafficfilterproxy.h"
#include "trafficlogmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Vigil {

TrafficPanel::TrafficPanel(TrafficLogModel *model, Controls controls, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new TrafficFilterProxy(this))
{
    m_proxy->setSourceModel(m_model);
    auto *filter = new QLineEdit(this);
    filter->setPlaceholderText(tr("Filter text…"));
    filter->setClearButtonEnabled(true);
    connect(filter, &QLineEdit::textChanged, m_proxy, &TrafficFilterProxy::setText);

    auto *kind = new QComboBox(this);
    kind->addItem(tr("All events"), TrafficFilterProxy::AnyKind);
    kind->addItem(tr("Messages"), TrafficFilterProxy::MessagesKind);
    kind->addItem(tr("PING / PONG"), TrafficFilterProxy::PingsKind);
    kind->addItem(tr("Timeouts and closes"), TrafficFilterProxy::EndsKind);
    for (EventKind k : {EventKind::Connected, EventKind::Hello, EventKind::Timeout, EventKind::Closed, EventKind::Rejected})
        kind->addItem(FeedText::eventKind(k), int(k));
    connect(kind, &QComboBox::currentIndexChanged, this,
            [this, kind] { m_proxy->setKind(kind->currentData().toInt()); });

    auto *bar = new QHBoxLayout;
    bar->addWidget(filter, 1);
    bar->addWidget(kind);
    m_connectionField = new QLineEdit(this);
    m_connectionField->setPlaceholderText(tr("Conn id"));
    m_connectionField->setClearButtonEnabled(true);
    m_connectionField->setMaximumWidth(fontMetrics().averageCharWidth() * 14);
    m_connectionField->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d*")), this));
    connect(m_connectionField, &QLineEdit::textChanged, this,
            [this](const QString &text) { m_proxy->setConnection(text.toULongLong()); });
    bar->addWidget(m_connectionField);
    if (controls == Controls::WithHex) {
        auto *hex = new QCheckBox(tr("He&x"), this);
        connect(hex, &QCheckBox::toggled, m_model, &TrafficLogModel::setHexMode);
        bar->addWidget(hex);
    }

    auto *pause = new QCheckBox(tr("&Pause"), this);
    connect(pause, &QCheckBox::toggled, m_model, &TrafficLogModel::setPaused);
    m_followBox = new QCheckBox(tr("&Follow"), this);
    m_followBox->setChecked(true);
    m_skippedLabel = new QLabel(this);
    connect(m_model, &TrafficLogModel::skippedChanged, this, [this](quint64 skipped) {
        m_skippedLabel->setText(skipped ? tr("<span style='color:#9a6b00'>%1 skipped</span>").arg(skipped) : QString());
    });
    auto *clear = new QPushButton(tr("Clear"), this);
    connect(clear, &QPushButton::clicked, m_model, &TrafficLogModel::clear);

    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    setupTable(m_view);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    setTrafficColumnWidths(m_view);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &TrafficPanel::scheduleFollowTail);

    bar->addWidget(pause);
    bar->addWidget(m_followBox);
    bar->addWidget(m_skippedLabel);
    bar->addWidget(clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
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
