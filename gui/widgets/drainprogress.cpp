// DrainDialog and DrainProgress: time left comes from the server's own
// drain deadline when its stats carry one, else from when we asked.
#include "drainprogress.h"

#include "duration.h"
#include "monotonicclock.h"
#include "serversource.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace Vigil {

namespace {
// GOAWAY carries the close time as uint32 milliseconds.
constexpr qint64 MaxDrainMs = 4294967295LL;
constexpr int TickMs = 250;
} // namespace

DrainDialog::DrainDialog(int openConnections, qint64 defaultMs, QWidget *parent)
    : QDialog(parent)
    , m_edit(new QLineEdit(formatDuration(defaultMs > 0 ? defaultMs : 10000), this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Drain"));
    auto *explain = new QLabel(tr("Stop accepting now. Each of the %n open connection(s) gets GOAWAY server-shutdown "
                                  "with a close time drawn at random within the drain time, is served until then, "
                                  "and closes with BYE server-shutdown. The server stops when the last one has closed.",
                                  nullptr, openConnections),
                               this);
    explain->setWordWrap(true);
    m_edit->setToolTip(tr("A duration: 500ms, 10s, 2m"));
    m_error->setStyleSheet(QStringLiteral("color: palette(bright-text); background: #b00020; padding: 2px;"));
    m_error->setVisible(false);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Drain"));
    auto *form = new QFormLayout;
    form->addRow(tr("Drain &time:"), m_edit);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(explain);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    connect(m_edit, &QLineEdit::textChanged, this, &DrainDialog::validate);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    validate();
}

std::optional<qint64> DrainDialog::drainMs() const
{
    const std::optional<qint64> ms = parseDuration(m_edit->text().trimmed());
    if (!ms || *ms <= 0 || *ms > MaxDrainMs)
        return std::nullopt;
    return ms;
}

void DrainDialog::validate()
{
    QString error;
    const std::optional<qint64> ms = parseDuration(m_edit->text().trimmed(), &error);
    if (ms && *ms <= 0)
        error = tr("A drain takes some time: give more than 0 (0 is Stop)");
    else if (ms && *ms > MaxDrainMs)
        error = tr("At most %1").arg(formatDuration(MaxDrainMs));
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty());
}

DrainProgress::DrainProgress(ServerSource *source, qint64 drainMs, QWidget *parent)
    : QDialog(parent)
    , m_source(source)
    , m_drainMs(drainMs)
    , m_startedAtMs(MonotonicClock::nowMs())
    , m_startConnections(int(source->lastStats().open))
    , m_label(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_stopNow(new QPushButton(tr("Stop &Now"), this))
{
    setWindowTitle(tr("Draining %1").arg(source->title()));
    setAttribute(Qt::WA_DeleteOnClose);
    m_bar->setRange(0, 100);
    // Stopping during a drain is the second SIGTERM: BYE to all at once.
    m_stopNow->setToolTip(tr("End the drain: BYE server-shutdown to every connection left, now"));
    m_stopNow->setVisible(source->can(ServerSource::Capability::StartStop));
    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_stopNow, QDialogButtonBox::DestructiveRole);
    QPushButton *hide = buttons->addButton(tr("&Hide"), QDialogButtonBox::RejectRole);
    hide->setToolTip(tr("The drain goes on; the status bar follows it"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_label);
    layout->addWidget(m_bar);
    layout->addWidget(buttons);
    connect(m_stopNow, &QPushButton::clicked, this, [this] {
        if (m_source)
            m_source->stop();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(source, &ServerSource::statsUpdated, this, &DrainProgress::refresh);
    connect(source, &ServerSource::statusChanged, this, &DrainProgress::refresh);
    connect(&m_tick, &QTimer::timeout, this, &DrainProgress::refresh);
    m_tick.start(TickMs);
    refresh();
}

QString DrainProgress::text() const
{
    return m_label->text();
}

int DrainProgress::percent() const
{
    return m_bar->value();
}

void DrainProgress::refresh()
{
    // Over: the embedded server stopped; an attached vigild exits, so its
    // feed is lost.
    if (!m_source || m_source->state() != ServerSource::State::Connected) {
        m_tick.stop();
        m_label->setText(!m_source || m_source->state() == ServerSource::State::Stopped
                             ? tr("Drained: every connection closed, the server stopped.")
                             : tr("Drained: the server went away (%1).").arg(m_source->statusText()));
        m_bar->setValue(100);
        m_stopNow->setEnabled(false);
        accept();
        return;
    }
    const ServerStats stats = m_source->lastStats();
    const qint64 now = MonotonicClock::nowMs();
    const qint64 deadline = stats.draining && stats.drainDeadlineMs > 0 ? stats.drainDeadlineMs : m_startedAtMs + m_drainMs;
    const qint64 leftMs = std::max<qint64>(0, deadline - now);
    const int open = int(stats.open);
    m_label->setText(tr("%n connection(s) left, %1 s left", nullptr, open).arg(double(leftMs) / 1000.0, 0, 'f', 1));
    // The larger of time and connections gone: the bar never stalls while
    // clients leave early, and never jumps back.
    const int byTime = int(100 * std::clamp<qint64>(m_drainMs - leftMs, 0, m_drainMs) / std::max<qint64>(1, m_drainMs));
    const int byConnections = m_startConnections > 0 ? 100 * (m_startConnections - std::min(open, m_startConnections)) / m_startConnections : 0;
    m_bar->setValue(std::max({m_bar->value(), byTime, byConnections}));
}

} // namespace Vigil
