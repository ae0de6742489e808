// "Attach to Fleet…": a name and the admin addresses of several vigild
// (one per line, e.g. the instances behind one HAProxy), one token for
// all. OK waits until every line reads as HOST:PORT; the hint names the
// first one that does not.
#pragma once

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace Vigil {

class FleetDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetDialog)
public:
    explicit FleetDialog(QWidget *parent = nullptr);

    QString name() const;
    // The addresses, trimmed, blank lines and repeats left out.
    QStringList addresses() const;
    QString token() const;
    bool rememberToken() const;
    // Why OK is disabled, empty when it is not.
    QString problem() const;

    void setName(const QString &name);
    void setAddresses(const QStringList &addresses);
    void setToken(const QString &token);

private:
    void updateOk();

    QLineEdit *m_name;
    QPlainTextEdit *m_addresses;
    QLineEdit *m_token;
    QCheckBox *m_remember;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace Vigil
