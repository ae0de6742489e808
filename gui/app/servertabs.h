// The window's tabs, one ServerView each: the first is the window's own
// server and cannot be closed, every further one can. A tab's title turns
// red while its server is out of reach; its tooltip is the view's status.
#pragma once

#include <QTabWidget>

namespace Vigil {

class ServerView;

class ServerTabs final : public QTabWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerTabs)
public:
    explicit ServerTabs(QWidget *parent = nullptr);

    // Adds view under its source's title; closable tabs get a close button.
    int addView(ServerView *view, bool closable);
    // Takes the view out (a permanent one stays); the caller deletes it.
    bool removeView(ServerView *view);
    bool isClosable(const ServerView *view) const;

    QList<ServerView *> views() const;
    ServerView *currentView() const;
    ServerView *viewAt(int index) const;

signals:
    void currentViewChanged(Vigil::ServerView *view);
    void closeRequested(Vigil::ServerView *view);

private:
    void updateTab(ServerView *view);
};

} // namespace Vigil
