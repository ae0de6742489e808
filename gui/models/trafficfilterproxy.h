// Filters the traffic log by connection id, event kind and text.
#pragma once

#include <QSortFilterProxyModel>

namespace Vigil {

class TrafficFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficFilterProxy)
public:
    // Kind filter values beyond the EventKind range.
    static constexpr int AnyKind = -2;
    static constexpr int MessagesKind = -3; // message in/out
    static constexpr int PingsKind = -4;    // ping in/out, pong in
    static constexpr int EndsKind = -5;     // timeouts, closes, rejects

    explicit TrafficFilterProxy(QObject *parent = nullptr);

    // 0: every connection.
    void setConnection(quint64 id);
    quint64 connection() const { return m_connection; }
    // An EventKind as int, or one of the group values above.
    void setKind(int kind);
    int kind() const { return m_kind; }
    void setText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    quint64 m_connection = 0;
    int m_kind = AnyKind;
    QString m_text;
};

} // namespace Vigil
