// FleetSummaryPanel: the wiring from the instances' sources to the model,
// and a plain table (fleet order, the Total last; no sorting, which would
// move the Total row).
#include "fleetsummarypanel.h"

#include "serversource.h"
#include "fleetsummarymodel.h"
#include "tablesetup.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace Vigil {

FleetSummaryPanel::FleetSummaryPanel(const QList<ServerSource *> &members, QWidget *parent)
    : QWidget(parent)
    , m_model(new FleetSummaryModel(this))
    , m_view(new QTableView(this))
{
    QStringList addresses;
    for (const ServerSource *member : members)
        addresses << member->title();
    m_model->setInstances(addresses);
    for (int i = 0; i < members.size(); ++i) {
        ServerSource *member = members[i];
        auto update = [this, member, i] {
            m_model->setName(i, member->instanceName());
            m_model->setState(i, member->state() == ServerSource::State::Connected, member->statusText());
        };
        connect(member, &ServerSource::statusChanged, this, update);
        connect(member, &ServerSource::statsUpdated, this, [this, update, i](const ServerStats &stats) {
            update(); // the instance name comes with the stats
            m_model->addStats(i, stats);
        });
        update();
    }

    m_view->setObjectName(QStringLiteral("fleetSummaryView"));
    m_view->setModel(m_model);
    setupTable(m_view);
    // A row per instance, at most 33: measuring them on every update costs
    // nothing, unlike the connection table's thousands.
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->setToolTip(tr("One row per vigild of the fleet; double-click one to see its connections"));
    connect(m_view, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        if (!m_model->isTotalRow(index.row()))
            emit instanceActivated(m_model->index(index.row(), FleetSummaryModel::InstanceColumn).data().toString());
    });

    auto *note = new QLabel(tr("Rates and lateness over the last %1 s; counts since each vigild started.")
                                .arg(FleetSummaryModel::WindowMs / 1000),
                            this);
    note->setObjectName(QStringLiteral("fleetSummaryNote"));
    note->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); }"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addWidget(note);
    layout->addWidget(m_view, 1);
}

} // namespace Vigil
