// AttachDialog: OK stays disabled until the address reads as HOST:PORT.
#include "attachdialog.h"

#include "remoteserversource.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Vigil {

AttachDialog::AttachDialog(QWidget *parent)
    : QDialog(parent)
    , m_address(new QLineEdit(this))
    , m_token(new QLineEdit(this))
    , m_remember(new QCheckBox(tr("&Remember the token"), this))
    , m_hint(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Attach to Server"));
    m_address->setObjectName(QStringLiteral("attachAddress"));
    m_address->setPlaceholderText(tr("127.0.0.1:9600"));
    m_token->setObjectName(QStringLiteral("attachToken"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("only if vigild has --admin-token-file"));
    m_remember->setToolTip(tr("Store the token with the attached servers in the monitor's settings, in clear"));
    m_hint->setWordWrap(true);
    m_hint->setText(tr("The admin endpoint of a running vigild (<tt>vigild --admin HOST:PORT</tt>), "
                       "not one of its listeners."));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Attach"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_address, &QLineEdit::textChanged, this, &AttachDialog::updateOk);

    auto *form = new QFormLayout;
    form->addRow(tr("&Address:"), m_address);
    form->addRow(tr("&Token:"), m_token);
    form->addRow(QString(), m_remember);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_hint);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    updateOk();
}

QString AttachDialog::address() const
{
    return m_address->text().trimmed();
}

QString AttachDialog::token() const
{
    return m_token->text().trimmed();
}

bool AttachDialog::rememberToken() const
{
    return m_remember->isChecked();
}

void AttachDialog::setAddress(const QString &address)
{
    m_address->setText(address);
}

void AttachDialog::setToken(const QString &token)
{
    m_token->setText(token);
}

void AttachDialog::updateOk()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(RemoteServerSource::isValidAddress(address()));
}

} // namespace Vigil
