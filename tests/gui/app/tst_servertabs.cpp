// ServerTabs with real sources: only closable tabs close, the current view
// is reported, and a tab whose server is out of reach (a vigild nobody
// answers for on 127.0.0.1) turns red with the status as its tooltip.
#include "embeddedserversource.h"
#include "remoteserversource.h"
#include "servertabs.h"
#include "serverview.h"
#include "vigildhelper.h"

#include <QSignalSpy>
#include <QTabBar>
#include <QTest>

using namespace Vigil;
using namespace VigilTest;

class tst_ServerTabs : public QObject
{
    Q_OBJECT

private slots:
    void onlyClosableTabsClose();
};

void tst_ServerTabs::onlyClosableTabsClose()
{
    ServerTabs tabs;
    auto *local = new ServerView(new EmbeddedServerSource);
    const quint16 port = freePort();
    auto *source = new RemoteServerSource(QStringLiteral("127.0.0.1:%1").arg(port));
    source->setRetryDelays(200, 1000);
    auto *remote = new ServerView(source);
    tabs.addView(local, false);
    tabs.addView(remote, true);
    tabs.show();
    QCOMPARE(tabs.views(), (QList<ServerView *>{local, remote}));
    QCOMPARE(tabs.tabText(0), QStringLiteral("Embedded server"));
    QCOMPARE(tabs.tabText(1), QStringLiteral("127.0.0.1:%1").arg(port));
    QVERIFY(!tabs.isClosable(local));
    QVERIFY(tabs.isClosable(remote));

    QSignalSpy closing(&tabs, &ServerTabs::closeRequested);
    emit tabs.tabCloseRequested(0);
    QCOMPARE(closing.count(), 0);
    emit tabs.tabCloseRequested(1);
    QCOMPARE(closing.count(), 1);
    QVERIFY(!tabs.removeView(local));

    QSignalSpy current(&tabs, &ServerTabs::currentViewChanged);
    tabs.setCurrentIndex(1);
    QCOMPARE(current.count(), 1);
    QCOMPARE(tabs.currentView(), remote);

    QVERIFY(source->start());
    QTRY_VERIFY_WITH_TIMEOUT(tabs.tabBar()->tabTextColor(1) != QColor(), 10000);
    QCOMPARE(tabs.tabBar()->tabTextColor(0), QColor());
    QTRY_VERIFY_WITH_TIMEOUT(tabs.tabToolTip(1).startsWith(QLatin1String("connection lost")), 10000);

    QVERIFY(tabs.removeView(remote));
    delete remote;
    QCOMPARE(tabs.count(), 1);
}

QTEST_MAIN(tst_ServerTabs)
#include "tst_servertabs.moc"
