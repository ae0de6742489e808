// TableExport: CSV quoting (RFC 4180) and JSON keyed by the headers, from
// what a model shows.
#include "tableexport.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardItemModel>
#include <QTest>

using namespace Vigil;

class tst_TableExport : public QObject
{
    Q_OBJECT

private slots:
    void csvQuotes();
    void jsonKeyedByHeaders();
};

namespace {
void fill(QStandardItemModel &model)
{
    model.setHorizontalHeaderLabels({QStringLiteral("ID"), QStringLiteral("Client"), QStringLiteral("Reason")});
    model.appendRow({new QStandardItem(QStringLiteral("17")), new QStandardItem(QStringLiteral("sensor, \"17\"")),
                     new QStandardItem(QStringLiteral("idle-timeout"))});
    model.appendRow({new QStandardItem(QStringLiteral("18")), new QStandardItem(QStringLiteral("-")),
                     new QStandardItem(QStringLiteral("kicked"))});
}
} // namespace

void tst_TableExport::csvQuotes()
{
    QStandardItemModel model;
    fill(model);
    QCOMPARE(TableExport::toCsv(model),
             QByteArray("ID,Client,Reason\r\n17,\"sensor, \"\"17\"\"\",idle-timeout\r\n18,-,kicked\r\n"));
    QCOMPARE(TableExport::formatFor(QStringLiteral("/tmp/x.JSON")), TableExport::Format::Json);
    QCOMPARE(TableExport::formatFor(QStringLiteral("/tmp/x.csv")), TableExport::Format::Csv);
}

void tst_TableExport::jsonKeyedByHeaders()
{
    QStandardItemModel model;
    fill(model);
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QVERIFY(TableExport::write(model, buffer, TableExport::Format::Json));
    const QJsonArray rows = QJsonDocument::fromJson(buffer.data()).array();
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].toObject().value(QStringLiteral("Client")).toString(), QStringLiteral("sensor, \"17\""));
    QCOMPARE(rows[1].toObject().value(QStringLiteral("Reason")).toString(), QStringLiteral("kicked"));
}

QTEST_MAIN(tst_TableExport)
#include "tst_tableexport.moc"
