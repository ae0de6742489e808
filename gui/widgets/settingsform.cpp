// SettingsForm: every edit is re-validated at once (parseDuration and
// ServerConfig::validate), so the reason shows before Start is pressed.
#include "settingsform.h"

#include "duration.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QToolButton>

namespace Vigil {

namespace {
QSpinBox *limitBox(QWidget *parent, int max, const QString &zeroText)
{
    auto *box = new QSpinBox(parent);
    box->setRange(0, max);
    box->setSpecialValueText(zeroText);
    box->setAccelerated(true);
    return box;
}
} // namespace

SettingsForm::SettingsForm(QWidget *parent)
    : QWidget(parent)
    , m_listen(new QLineEdit(this))
    , m_framing(new QComboBox(this))
    , m_policy(new QComboBox(this))
    , m_idleTimeout(new QLineEdit(this))
    , m_lifetime(new QLineEdit(this))
    , m_writeTimeout(new QLineEdit(this))
    , m_probeInterval(new QLineEdit(this))
    , m_lifetimeJitter(limitBox(this, ServerConfig::MaxLifetimeJitterPct, tr("none")))
    , m_lifetimeGrace(new QLineEdit(this))
    , m_drainTime(new QLineEdit(this))
    , m_tlsCert(new QLineEdit(this))
    , m_tlsKey(new QLineEdit(this))
    , m_minPingInterval(new QLineEdit(this))
    , m_frameTimeout(new QLineEdit(this))
    , m_maxPayload(new QLineEdit(this))
    , m_maxConnections(limitBox(this, 10000000, tr("no limit")))
    , m_maxPerIp(limitBox(this, 10000000, tr("no limit")))
    , m_maxMsgRate(limitBox(this, 100000000, tr("no limit")))
    , m_mode(new QComboBox(this))
    , m_threads(limitBox(this, 256, tr("one per core")))
    , m_errorLabel(new QLabel(this))
{
    for (Framing f : {Framing::Vigil, Framing::Legacy, Framing::Line, Framing::Raw})
        m_framing->addItem(framingName(f), int(f));
    for (Policy p : {Policy::Long, Policy::Short})
        m_policy->addItem(policyName(p), int(p));
    for (Mode m : {Mode::Echo, Mode::Sink})
        m_mode->addItem(modeName(m), int(m));

    setHelp(m_listen, tr("HOST:PORT, several separated by commas; port 0 picks a free port. Append ,tls for a TLS listener "
                         "and ,proxy for one behind a PROXY-protocol balancer: 127.0.0.1:7601,proxy"));
    const QString durationHelp = tr("A number with a unit: 250ms, 5s, 2m, 1h; 0 turns it off");
    for (QLineEdit *edit : {m_idleTimeout, m_lifetime, m_writeTimeout, m_probeInterval, m_lifetimeGrace,
                            m_drainTime, m_minPingInterval, m_frameTimeout})
        edit->setToolTip(durationHelp);
    m_lifetime->setPlaceholderText(tr("0 (short policy: 10s)"));
    m_lifetimeJitter->setSuffix(tr(" %"));
    m_lifetimeJitter->setToolTip(tr("Each connection's lifetime is drawn from [lifetime x (1 - jitter), lifetime]"));
    m_lifetimeGrace->setToolTip(tr("vigil framing: at the lifetime send GOAWAY, keep serving, and close this much later; 0: close at once"));
    m_drainTime->setToolTip(tr("Drain… offers this time, and Ctrl+C of a vigild with --drain-time: GOAWAY to every "
                               "connection and closes spread over it; 0: stop at once"));
    m_minPingInterval->setToolTip(tr("A client PING sooner than this after its previous one, with no DATA between, is a strike; "
                                     "the third closes it (too-many-pings); 0 turns it off"));
    m_frameTimeout->setToolTip(tr("A started message (header, line) must be complete this long after its first byte; "
                                  "0 turns it off"));
    m_maxPayload->setToolTip(tr("Bytes, or with k, M, G"));

    auto *form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Listen on"), m_listen);
    setHelp(m_tlsCert, tr("PEM certificate chain for ,tls listeners (--tls-cert)"));
    setHelp(m_tlsKey, tr("PEM private key for ,tls listeners (--tls-key)"));
    form->addRow(tr("TLS certi&ficate"), withFilePicker(m_tlsCert, tr("TLS Certificate Chain (PEM)")));
    form->addRow(tr("TLS &key"), withFilePicker(m_tlsKey, tr("TLS Private Key (PEM)")));
    form->addRow(tr("&Framing"), m_framing);
    form->addRow(tr("&Policy"), m_policy);
    form->addRow(tr("&Idle timeout"), m_idleTimeout);
    form->addRow(tr("Max &lifetime"), m_lifetime);
    form->addRow(tr("&Write timeout"), m_writeTimeout);
    form->addRow(tr("P&robe interval"), m_probeInterval);
    form->addRow(tr("Lifetime &jitter"), m_lifetimeJitter);
    form->addRow(tr("Lifetime &grace"), m_lifetimeGrace);
    form->addRow(tr("&Drain time"), m_drainTime);
    form->addRow(tr("Min PI&NG interval"), m_minPingInterval);
    form->addRow(tr("Frame time&out"), m_frameTimeout);
    form->addRow(tr("Max pa&yload"), m_maxPayload);
    form->addRow(tr("Max &connections"), m_maxConnections);
    form->addRow(tr("Max per I&P"), m_maxPerIp);
    form->addRow(tr("Max msg &rate /s"), m_maxMsgRate);
    form->addRow(tr("&Mode"), m_mode);
    form->addRow(tr("&Threads"), m_threads);
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_errorLabel->hide();
    form->addRow(m_errorLabel);

    for (QLineEdit *edit : {m_listen, m_tlsCert, m_tlsKey, m_idleTimeout, m_lifetime, m_writeTimeout, m_probeInterval, m_lifetimeGrace,
                            m_drainTime, m_minPingInterval, m_frameTimeout, m_maxPayload}) {
        connect(edit, &QLineEdit::textChanged, this, &SettingsForm::revalidate);
        connect(edit, &QLineEdit::editingFinished, this, &SettingsForm::configEdited);
    }
    for (QComboBox *box : {m_framing, m_policy, m_mode}) {
        connect(box, &QComboBox::currentIndexChanged, this, &SettingsForm::revalidate);
        connect(box, &QComboBox::activated, this, &SettingsForm::configEdited);
    }
    for (QSpinBox *box : {m_lifetimeJitter, m_maxConnections, m_maxPerIp, m_maxMsgRate, m_threads}) {
        connect(box, &QSpinBox::valueChanged, this, &SettingsForm::revalidate);
        connect(box, &QSpinBox::editingFinished, this, &SettingsForm::configEdited);
    }
    setConfig(ServerConfig());
}

void SettingsForm::setConfig(const ServerConfig &config)
{
    m_base = config;
    QStringList addresses;
    for (const ListenAddress &a : config.listen)
        addresses << a.spec();
    m_listen->setText(addresses.join(QStringLiteral(", ")));
    m_framing->setCurrentIndex(m_framing->findData(int(config.framing)));
    m_policy->setCurrentIndex(m_policy->findData(int(config.policy)));
    m_idleTimeout->setText(formatDuration(config.idleTimeoutMs));
    m_lifetime->setText(formatDuration(config.maxLifetimeMs));
    m_writeTimeout->setText(formatDuration(config.writeTimeoutMs));
    m_probeInterval->setText(formatDuration(config.probeIntervalMs));
    m_lifetimeJitter->setValue(config.lifetimeJitterPct);
    m_lifetimeGrace->setText(formatDuration(config.lifetimeGraceMs));
    m_drainTime->setText(formatDuration(config.drainTimeMs));
    m_tlsCert->setText(config.tlsCert);
    m_tlsKey->setText(config.tlsKey);
    m_minPingInterval->setText(formatDuration(config.minPingIntervalMs));
    m_frameTimeout->setText(formatDuration(config.frameTimeoutMs));
    m_maxPayload->setText(QString::number(config.maxPayload));
    m_maxConnections->setValue(config.maxConnections);
    m_maxPerIp->setValue(config.maxPerIp);
    m_maxMsgRate->setValue(config.maxMsgRate);
    m_mode->setCurrentIndex(m_mode->findData(int(config.mode)));
    m_threads->setValue(config.threads);
    revalidate();
}

std::optional<ServerConfig> SettingsForm::config(QString *error) const
{
    auto fail = [error](const QString &why) -> std::optional<ServerConfig> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    ServerConfig c = m_base;
    c.listen.clear();
    // Commas separate both the addresses and a listener's options: "tls"
    // and "proxy" belong to the address before them, as --listen spells it.
    QStringList entries;
    for (const QString &part : m_listen->text().split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts)) {
        const bool option = part.compare(QLatin1String("tls"), Qt::CaseInsensitive) == 0
                            || part.compare(QLatin1String("proxy"), Qt::CaseInsensitive) == 0;
        if (option && entries.isEmpty())
            return fail(tr("Listen on: \"%1\" must follow a HOST:PORT").arg(part));
        if (option)
            entries.last() += QLatin1Char(',') + part.toLower();
        else
            entries << part;
    }
    if (entries.isEmpty())
        return fail(tr("Listen on: give at least one HOST:PORT"));
    for (const QString &entry : entries) {
        QString why;
        const auto address = ListenAddress::parseListener(entry, &why);
        if (!address)
            return fail(tr("Listen on: %1").arg(why));
        c.listen.append(*address);
    }
    c.tlsCert = m_tlsCert->text().trimmed();
    c.tlsKey = m_tlsKey->text().trimmed();
    c.tlsContext.reset(); // loaded again from the files at start
    c.framing = Framing(m_framing->currentData().toInt());
    c.policy = Policy(m_policy->currentData().toInt());
    const struct
    {
        QLineEdit *edit;
        qint64 *target;
        QString label;
    } durations[] = {
        {m_idleTimeout, &c.idleTimeoutMs, tr("Idle timeout")},
        {m_lifetime, &c.maxLifetimeMs, tr("Max lifetime")},
        {m_writeTimeout, &c.writeTimeoutMs, tr("Write timeout")},
        {m_probeInterval, &c.probeIntervalMs, tr("Probe interval")},
        {m_lifetimeGrace, &c.lifetimeGraceMs, tr("Lifetime grace")},
        {m_drainTime, &c.drainTimeMs, tr("Drain time")},
        {m_minPingInterval, &c.minPingIntervalMs, tr("Min PING interval")},
        {m_frameTimeout, &c.frameTimeoutMs, tr("Frame timeout")},
    };
    for (const auto &d : durations) {
        const QString text = d.edit->text().trimmed();
        if (text.isEmpty()) {
            *d.target = 0;
            continue;
        }
        QString why;
        const auto ms = parseDuration(text, &why);
        if (!ms)
            return fail(tr("%1: %2").arg(d.label, why));
        *d.target = *ms;
    }
    QString why;
    const auto payload = parseByteSize(m_maxPayload->text().trimmed(), &why);
    if (!payload)
        return fail(tr("Max payload: %1").arg(why));
    c.maxPayload = *payload;
    c.lifetimeJitterPct = m_lifetimeJitter->value();
    c.maxConnections = m_maxConnections->value();
    c.maxPerIp = m_maxPerIp->value();
    c.maxMsgRate = m_maxMsgRate->value();
    c.mode = Mode(m_mode->currentData().toInt());
    c.threads = m_threads->value();
    c.logToStdout = false; // the monitor shows events in its views instead
    const QString invalid = c.validate();
    if (!invalid.isEmpty())
        return fail(invalid);
    return c;
}

QWidget *SettingsForm::withFilePicker(QLineEdit *edit, const QString &caption)
{
    auto *box = new QWidget(this);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(edit, 1);
    auto *pick = new QToolButton(box);
    pick->setText(QStringLiteral("…"));
    pick->setToolTip(tr("Choose the file"));
    row->addWidget(pick);
    connect(pick, &QToolButton::clicked, this, [this, edit, caption] {
        const QString file = QFileDialog::getOpenFileName(this, caption, edit->text(),
                                                          tr("PEM files (*.pem *.crt *.key);;All files (*)"));
        if (!file.isEmpty()) {
            edit->setText(file);
            emit configEdited();
        }
    });
    return box;
}

// The tooltip a field shows while it can be edited; setRunning() puts it
// back when the server stops.
void SettingsForm::setHelp(QWidget *field, const QString &help)
{
    field->setProperty("help", help);
    field->setToolTip(help);
}

void SettingsForm::setRunning(bool running)
{
    for (QWidget *w : std::initializer_list<QWidget *>{m_listen, m_tlsCert, m_tlsKey, m_framing, m_threads}) {
        w->setEnabled(!running);
        w->setToolTip(running ? tr("Fixed while the server runs; stop it to change") : w->property("help").toString());
    }
}

void SettingsForm::revalidate()
{
    const bool wasValid = m_error.isEmpty();
    QString error;
    config(&error);
    m_error = error;
    m_errorLabel->setText(error.isEmpty() ? QString() : tr("Not accepted: %1").arg(error));
    m_errorLabel->setVisible(!error.isEmpty());
    if (wasValid != m_error.isEmpty())
        emit validityChanged(m_error.isEmpty());
}

} // namespace Vigil
