// A dock whose content follows the tab in front: one page per view (its
// traffic log, statistics, details), shown while that view is current.
// Pages stay owned by whoever made them; a deleted page just leaves.
#pragma once

#include <QDockWidget>

class QStackedWidget;

namespace Vigil {

class DockStack final : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DockStack)
public:
    DockStack(const QString &title, const QString &objectName, QWidget *parent = nullptr);

    void addPage(QWidget *page);
    void showPage(QWidget *page);
    QWidget *currentPage() const;

private:
    QStackedWidget *m_stack;
};

} // namespace Vigil
