// PayloadDialog: the classic hexdump -C layout, in the system's fixed font.
#include "payloaddialog.h"

#include "trafficlogmodel.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Vigil {

namespace {
constexpr int BytesPerLine = 16;
} // namespace

QString PayloadDialog::hexDump(const QByteArray &bytes)
{
    QStringList lines;
    for (qsizetype at = 0; at < bytes.size(); at += BytesPerLine) {
        const QByteArray chunk = bytes.mid(at, BytesPerLine);
        QString hex;
        for (int i = 0; i < BytesPerLine; ++i) {
            if (i == 8)
                hex += QLatin1Char(' ');
            hex += i < chunk.size() ? QStringLiteral("%1 ").arg(quint8(chunk[i]), 2, 16, QLatin1Char('0'))
                                    : QStringLiteral("   ");
        }
        QString ascii;
        for (char c : chunk)
            ascii += (c >= 0x20 && c < 0x7f) ? QLatin1Char(c) : QLatin1Char('.');
        lines << QStringLiteral("%1  %2 |%3|").arg(quint64(at), 8, 16, QLatin1Char('0')).arg(hex, ascii);
    }
    return lines.join(QLatin1Char('\n'));
}

PayloadDialog::PayloadDialog(const QString &title, const QByteArray &payload, QWidget *parent)
    : QDialog(parent)
    , m_payload(payload)
    , m_dump(new QPlainTextEdit(this))
{
    setWindowTitle(tr("Payload — %1").arg(title));
    auto *note = new QLabel(tr("%1 bytes as logged (the log keeps the first %2 bytes of each message).")
                                .arg(payload.size())
                                .arg(ServerEvent::PayloadBytes),
                            this);
    note->setWordWrap(true);
    m_dump->setObjectName(QStringLiteral("payloadDump"));
    m_dump->setReadOnly(true);
    m_dump->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_dump->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_dump->setPlainText(hexDump(payload));
    const int width = QFontMetrics(m_dump->font()).horizontalAdvance(QString(80, QLatin1Char('0')));
    m_dump->setMinimumWidth(width + 24);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *copyHex = buttons->addButton(tr("Copy as &Hex"), QDialogButtonBox::ActionRole);
    copyHex->setToolTip(tr("Copy the bytes as space-separated hex"));
    connect(copyHex, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(QString::fromLatin1(m_payload.toHex(' '))); });
    QPushButton *copyText = buttons->addButton(tr("Copy as &Text"), QDialogButtonBox::ActionRole);
    copyText->setToolTip(tr("Copy the bytes as text (invalid UTF-8 and control bytes as dots)"));
    connect(copyText, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(TrafficLogModel::printable(m_payload)); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addWidget(m_dump, 1);
    layout->addWidget(buttons);
    resize(width + 60, 320);
}

QString PayloadDialog::dumpText() const
{
    return m_dump->toPlainText();
}

} // namespace Vigil
