// A table model as shown (the proxy's rows and order, the display text)
// to CSV (RFC 4180, a header row) or JSON (an array of objects keyed by
// the column headers), for the connection list, the history and the log.
#pragma once

#include <QString>

class QAbstractItemModel;
class QIODevice;

namespace Vigil::TableExport {

enum class Format { Csv, Json };

// By the file name's suffix: ".json" is JSON, anything else CSV.
Format formatFor(const QString &fileName);
// Writes every row; false (and why in *error) when the device fails.
bool write(const QAbstractItemModel &model, QIODevice &out, Format format, QString *error = nullptr);
QByteArray toCsv(const QAbstractItemModel &model);
QByteArray toJson(const QAbstractItemModel &model);

} // namespace Vigil::TableExport
