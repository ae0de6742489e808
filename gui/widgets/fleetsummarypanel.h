// A fleet's Summary page: FleetSummaryModel fed by each instance's own
// source (its state, --instance-name and stats polls), one row each and a
// Total. Double-clicking an instance asks for its connections.
#pragma once

#include <QWidget>

class QTableView;

namespace Vigil {

class FleetSummaryModel;
class ServerSource;

class FleetSummaryPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetSummaryPanel)
public:
    // members: the fleet's instances (ServerSource::members()), not owned.
    explicit FleetSummaryPanel(const QList<ServerSource *> &members, QWidget *parent = nullptr);

    FleetSummaryModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

signals:
    // The operator wants the connections of this instance (its name).
    void instanceActivated(const QString &instance);

private:
    FleetSummaryModel *m_model;
    QTableView *m_view;
};

} // namespace Vigil
