#include "tableexport.h"

#include <QAbstractItemModel>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace Vigil::TableExport {

namespace {
QString csvField(const QString &value)
{
    if (!value.contains(QLatin1Char(',')) && !value.contains(QLatin1Char('"')) && !value.contains(QLatin1Char('\n'))
        && !value.contains(QLatin1Char('\r')))
        return value;
    QString quoted = value;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QStringList headers(const QAbstractItemModel &model)
{
    QStringList out;
    for (int c = 0; c < model.columnCount(); ++c)
        out << model.headerData(c, Qt::Horizontal).toString();
    return out;
}
} // namespace

Format formatFor(const QString &fileName)
{
    return fileName.endsWith(QLatin1String(".json"), Qt::CaseInsensitive) ? Format::Json : Format::Csv;
}

QByteArray toCsv(const QAbstractItemModel &model)
{
    QStringList lines;
    QStringList head;
    for (const QString &h : headers(model))
        head << csvField(h);
    lines << head.join(QLatin1Char(','));
    for (int r = 0; r < model.rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < model.columnCount(); ++c)
            cells << csvField(model.index(r, c).data().toString());
        lines << cells.join(QLatin1Char(','));
    }
    return (lines.join(QLatin1String("\r\n")) + QLatin1String("\r\n")).toUtf8();
}

QByteArray toJson(const QAbstractItemModel &model)
{
    const QStringList keys = headers(model);
    QJsonArray rows;
    for (int r = 0; r < model.rowCount(); ++r) {
        QJsonObject row;
        for (int c = 0; c < model.columnCount(); ++c)
            row.insert(keys.value(c), model.index(r, c).data().toString());
        rows.append(row);
    }
    return QJsonDocument(rows).toJson(QJsonDocument::Indented);
}

bool write(const QAbstractItemModel &model, QIODevice &out, Format format, QString *error)
{
    const QByteArray bytes = format == Format::Json ? toJson(model) : toCsv(model);
    if (out.write(bytes) != bytes.size()) {
        if (error)
            *error = out.errorString();
        return false;
    }
    return true;
}

} // namespace Vigil::TableExport
