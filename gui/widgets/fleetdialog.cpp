// FleetDialog: the same address rule as AttachDialog, per line, plus the
// fleet's bounds (FleetSource::MaxInstances).
#include "fleetdialog.h"

#include "fleetsource.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Vigil {

FleetDialog::FleetDialog(QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_addresses(new QPlainTextEdit(this))
    , m_token(new QLineEdit(this))
    , m_remember(new QCheckBox(tr("&Remember the token"), this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Attach to Fleet"));
    m_name->setObjectName(QStringLiteral("fleetName"));
    m_name->setPlaceholderText(tr("edge"));
    m_name->setToolTip(tr("What the tab and the saved settings call this fleet"));
    m_addresses->setObjectName(QStringLiteral("fleetAddresses"));
    m_addresses->setPlaceholderText(tr("127.0.0.1:9601\n127.0.0.1:9602\n127.0.0.1:9603"));
    m_addresses->setToolTip(tr("The admin endpoint of each vigild (vigild --admin HOST:PORT), one per line"));
    m_addresses->setTabChangesFocus(true);
    m_token->setObjectName(QStringLiteral("fleetToken"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("only if the vigild have --admin-token-file"));
    m_remember->setToolTip(tr("Store the token with the fleet in the monitor's settings, in clear"));
    m_problem->setObjectName(QStringLiteral("fleetProblem"));
    m_problem->setWordWrap(true);
    auto *hint = new QLabel(tr("Several vigild watched as one: a summary of the instances and one table of all "
                               "their connections."),
                            this);
    hint->setWordWrap(true);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Attach"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &FleetDialog::updateOk);
    connect(m_addresses, &QPlainTextEdit::textChanged, this, &FleetDialog::updateOk);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("A&ddresses:"), m_addresses);
    form->addRow(tr("&Token:"), m_token);
    form->addRow(QString(), m_remember);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(hint);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    updateOk();
}

QString FleetDialog::name() const
{
    return m_name->text().trimmed();
}

QStringList FleetDialog::addresses() const
{
    QStringList out;
    const QStringList lines = m_addresses->toPlainText().split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        const QString address = line.trimmed();
        if (!address.isEmpty() && !out.contains(address))
            out << address;
    }
    return out;
}

QString FleetDialog::token() const
{
    return m_token->text().trimmed();
}

bool FleetDialog::rememberToken() const
{
    return m_remember->isChecked();
}

QString FleetDialog::problem() const
{
    return FleetSource::problem(name(), addresses());
}

void FleetDialog::setName(const QString &name)
{
    m_name->setText(name);
}

void FleetDialog::setAddresses(const QStringList &addresses)
{
    m_addresses->setPlainText(addresses.join(QLatin1Char('\n')));
}

void FleetDialog::setToken(const QString &token)
{
    m_token->setText(token);
}

void FleetDialog::updateOk()
{
    const QString text = problem();
    m_problem->setText(text);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(text.isEmpty());
}

} // namespace Vigil
