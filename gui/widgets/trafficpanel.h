// The traffic log of one server, embedded or attached: filters, pause,
// follow-tail and the "skipped" note above one table of events.
#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QTableView;

namespace Vigil {

class PayloadDialog;
class TrafficFilterProxy;
class TrafficLogModel;

class TrafficPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficPanel)
public:
    // Every log filters by connection id (events carry it); WithHex adds
    // the hex switch, which only a feed with payload previews can use.
    enum class Controls { Basic, WithHex };

    // Shows model (owned by the caller) through a proxy of its own.
    TrafficPanel(TrafficLogModel *model, Controls controls, QWidget *parent = nullptr);

    TrafficFilterProxy *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    // Narrows the log to one connection.
    void showConnection(quint64 id);
    // The selected rows, every column, tab-separated (what Ctrl+C copies).
    QString selectedRowsText() const;
    void copySelectedRows();
    // Opens the payload of the event at index (a proxy index); nullptr for
    // an event without one.
    PayloadDialog *inspectPayload(const QModelIndex &index);

private:
    void scheduleFollowTail();

    TrafficLogModel *m_model;
    TrafficFilterProxy *m_proxy;
    QLineEdit *m_connectionField = nullptr;
    QCheckBox *m_followBox = nullptr;
    QLabel *m_skippedLabel = nullptr;
    QTableView *m_view = nullptr;
    bool m_followScheduled = false;
};

} // namespace Vigil
