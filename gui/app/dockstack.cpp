#include "dockstack.h"

#include <QStackedWidget>

namespace Vigil {

DockStack::DockStack(const QString &title, const QString &objectName, QWidget *parent)
    : QDockWidget(title, parent)
    , m_stack(new QStackedWidget(this))
{
    setObjectName(objectName);
    setWidget(m_stack);
}

void DockStack::addPage(QWidget *page)
{
    if (m_stack->indexOf(page) < 0)
        m_stack->addWidget(page);
}

void DockStack::showPage(QWidget *page)
{
    addPage(page);
    m_stack->setCurrentWidget(page);
}

QWidget *DockStack::currentPage() const
{
    return m_stack->currentWidget();
}

} // namespace Vigil
