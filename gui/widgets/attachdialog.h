// "Attach to server…": asks for the admin address of a running vigild and
// an optional token, and whether to remember the token.
#pragma once

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace Vigil {

class AttachDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AttachDialog)
public:
    explicit AttachDialog(QWidget *parent = nullptr);

    QString address() const;
    QString token() const;
    bool rememberToken() const;

    void setAddress(const QString &address);
    void setToken(const QString &token);

private:
    void updateOk();

    QLineEdit *m_address;
    QLineEdit *m_token;
    QCheckBox *m_remember;
    QLabel *m_hint;
    QDialogButtonBox *m_buttons;
};

} // namespace Vigil
