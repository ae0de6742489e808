// One logged payload, whole (up to what the log keeps of it): hex and
// ASCII side by side with offsets, copyable as hex or as text.
#pragma once

#include <QDialog>

class QPlainTextEdit;

namespace Vigil {

class PayloadDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PayloadDialog)
public:
    // title: e.g. "message in · connection 7 · 21 B".
    PayloadDialog(const QString &title, const QByteArray &payload, QWidget *parent = nullptr);

    // "00000000  73 65 6e 73 ...  |sens...|", 16 bytes a line.
    static QString hexDump(const QByteArray &bytes);
    QString dumpText() const;

private:
    QByteArray m_payload;
    QPlainTextEdit *m_dump;
};

} // namespace Vigil
