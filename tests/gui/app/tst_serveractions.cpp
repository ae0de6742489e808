// ServerActions with real sources: the actions follow the capabilities and
// state of the view in front (an embedded server started on 127.0.0.1:0,
// a vigild nobody answers for).
#include "embeddedserversource.h"
#include "remoteserversource.h"
#include "serveractions.h"
#include "serverview.h"
#include "vigildhelper.h"

#include <QAction>
#include <QTest>
#include <QWidget>

using namespace Vigil;
using namespace VigilTest;

class tst_ServerActions : public QObject
{
    Q_OBJECT

private slots:
    void followTheServerInFront();
};

void tst_ServerActions::followTheServerInFront()
{
    QWidget window;
    ServerActions actions(&window);
    auto *embedded = new EmbeddedServerSource;
    ServerConfig config;
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    embedded->applyConfig(config, false);
    ServerView local(embedded);
    ServerView remote(new RemoteServerSource(QStringLiteral("127.0.0.1:%1").arg(freePort())));

    actions.update(&local, false, true);
    QVERIFY(actions.start()->isEnabled());
    QVERIFY(!actions.stop()->isEnabled());
    QVERIFY(!actions.applyToOpen()->isEnabled());
    QVERIFY(!actions.kick()->isEnabled());
    QVERIFY(!actions.detach()->isEnabled());
    actions.update(&local, false, false); // the form would be refused
    QVERIFY(!actions.start()->isEnabled());

    QVERIFY(embedded->start());
    actions.update(&local, false, true);
    QVERIFY(!actions.start()->isEnabled());
    QVERIFY(actions.stop()->isEnabled());
    QVERIFY(actions.applyToOpen()->isEnabled());
    QVERIFY(!actions.kick()->isEnabled()); // nothing selected

    // Nothing to start, stop or configure on an attached server.
    actions.update(&remote, true, true);
    QVERIFY(!actions.start()->isEnabled());
    QVERIFY(!actions.stop()->isEnabled());
    QVERIFY(!actions.applyToOpen()->isEnabled());
    QVERIFY(actions.detach()->isEnabled());
    QVERIFY(!actions.showTraffic()->isEnabled());
    embedded->stopAndWait();
}

QTEST_MAIN(tst_ServerActions)
#include "tst_serveractions.moc"
