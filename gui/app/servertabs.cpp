// ServerTabs: the bar shows only once a second server is open, so the
// window looks the same for those who never attach one.
#include "servertabs.h"

#include "serverview.h"

#include <QTabBar>

namespace Vigil {

namespace {
const char ClosableProperty[] = "vigilClosable";
} // namespace

ServerTabs::ServerTabs(QWidget *parent)
    : QTabWidget(parent)
{
    setObjectName(QStringLiteral("serverTabs"));
    setDocumentMode(true);
    setTabBarAutoHide(true);
    setTabsClosable(true);
    connect(this, &QTabWidget::tabCloseRequested, this, [this](int index) {
        ServerView *view = viewAt(index);
        if (view && isClosable(view))
            emit closeRequested(view);
    });
    connect(this, &QTabWidget::currentChanged, this, [this] { emit currentViewChanged(currentView()); });
}

int ServerTabs::addView(ServerView *view, bool closable)
{
    view->setProperty(ClosableProperty, closable);
    const int index = addTab(view, view->source()->title());
    if (!closable) {
        for (QTabBar::ButtonPosition side : {QTabBar::LeftSide, QTabBar::RightSide})
            tabBar()->setTabButton(index, side, nullptr);
    }
    connect(view, &ServerView::statusChanged, this, [this, view] { updateTab(view); });
    updateTab(view);
    return index;
}

bool ServerTabs::removeView(ServerView *view)
{
    const int index = indexOf(view);
    if (index < 0 || !isClosable(view))
        return false;
    disconnect(view, nullptr, this, nullptr);
    removeTab(index);
    return true;
}

bool ServerTabs::isClosable(const ServerView *view) const
{
    return view && view->property(ClosableProperty).toBool();
}

QList<ServerView *> ServerTabs::views() const
{
    QList<ServerView *> out;
    for (int i = 0; i < count(); ++i) {
        if (ServerView *view = viewAt(i))
            out.append(view);
    }
    return out;
}

ServerView *ServerTabs::currentView() const
{
    return qobject_cast<ServerView *>(currentWidget());
}

ServerView *ServerTabs::viewAt(int index) const
{
    return qobject_cast<ServerView *>(widget(index));
}

void ServerTabs::updateTab(ServerView *view)
{
    const int index = indexOf(view);
    if (index < 0)
        return;
    setTabText(index, view->source()->displayName());
    tabBar()->setTabTextColor(index, view->source()->isTroubled() ? QColor(0xb0, 0x2a, 0x1e) : QColor());
    setTabToolTip(index, view->statusText());
}

} // namespace Vigil
