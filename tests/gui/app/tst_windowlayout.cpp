// The window's layout on a 1280x720 screen against a real embedded server
// and real clients on 127.0.0.1: long values (a 70+ character message, a
// long HELLO name) elide in place and never grow the docks or the window,
// and a layout saved on a larger screen is brought back inside this one.
#include "connectiondetails.h"
#include "connectiontablemodel.h"
#include "mainwindow.h"
#include "server.h"
#include "serverview.h"
#include "statspanel.h"
#include "trafficlogmodel.h"
#include "vigildhelper.h"

#include <QAction>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QScreen>
#include <QSettings>
#include <QTableView>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace Vigil;

class tst_WindowLayout : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void longValuesKeepTheLayout();
    void restoredLayoutFitsTheScreen();
    void bigCountersKeepTheLayout();

private:
    void createWindow();
    QHash<QString, QRect> dockGeometries() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void tst_WindowLayout::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    createWindow();
}

void tst_WindowLayout::cleanup()
{
    m_window.reset();
    m_dir.reset();
}

void tst_WindowLayout::createWindow()
{
    ServerConfig config;
    config.listen = {*ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    config.threads = 1;
    config.idleTimeoutMs = 60000;
    MainWindow::Options options;
    options.config = config;
    options.settingsPath = m_dir->filePath(QStringLiteral("vigil-monitor.ini"));
    m_window = std::make_unique<MainWindow>(options);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

QHash<QString, QRect> tst_WindowLayout::dockGeometries() const
{
    QHash<QString, QRect> out;
    for (QDockWidget *dock : m_window->findChildren<QDockWidget *>())
        out.insert(dock->objectName(), dock->geometry());
    return out;
}

void tst_WindowLayout::longValuesKeepTheLayout()
{
    QScreen *screen = m_window->screen();
    QVERIFY(screen);
    QCOMPARE(screen->geometry().size(), QSize(1280, 720));
    m_window->startAction()->trigger();
    QVERIFY(m_window->server().isRunning());
    const quint16 port = m_window->server().boundAddresses().value(0).port;

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    const QString name = QStringLiteral("bench-client-with-a-rather-long-name-from-the-load-generator-0001");
    client.write(VigilTest::frame(0x04, QStringLiteral("{\"client\": \"%1\"}").arg(name).toUtf8()));
    const QByteArray message = QByteArray("bench:0001:") + QByteArray(90, 'x') + QByteArray(":end");
    client.write(VigilTest::frame(0x01, message));
    ConnectionTableModel *model = m_window->connectionModel();
    QTRY_COMPARE(model->rowCount(), 1);
    QTRY_COMPARE(model->index(0, ConnectionTableModel::MessagesInColumn).data().toString(), QStringLiteral("2"));

    // Let the layout settle, then remember it.
    QTRY_VERIFY(m_window->statusText().contains(QLatin1String("1 connection")));
    QCoreApplication::processEvents();
    const QRect window = m_window->geometry();
    const QHash<QString, QRect> docks = dockGeometries();
    auto minimums = [this] {
        QString out = QStringLiteral("window %1x%2, minimum %3x%4;")
                          .arg(m_window->width())
                          .arg(m_window->height())
                          .arg(m_window->minimumSizeHint().width())
                          .arg(m_window->minimumSizeHint().height());
        for (QDockWidget *dock : m_window->findChildren<QDockWidget *>())
            out += QStringLiteral(" %1 %2x%3").arg(dock->objectName()).arg(dock->minimumSizeHint().width()).arg(dock->minimumSizeHint().height());
        return out;
    };
    QVERIFY2(screen->availableGeometry().contains(m_window->frameGeometry()), qPrintable(minimums()));

    m_window->connectionView()->selectRow(0);
    QTRY_VERIFY(m_window->details()->text().contains(QLatin1String("bench:0001")));
    // Give a resize every chance to happen (layouts are applied later).
    for (int i = 0; i < 5; ++i) {
        QTest::qWait(50);
        QCoreApplication::processEvents();
    }
    QCOMPARE(m_window->geometry(), window);
    const QHash<QString, QRect> after = dockGeometries();
    for (auto it = docks.cbegin(); it != docks.cend(); ++it)
        QVERIFY2(after.value(it.key()).size() == it.value().size(),
                 qPrintable(QStringLiteral("%1: %2x%3 -> %4x%5")
                                .arg(it.key())
                                .arg(it.value().width())
                                .arg(it.value().height())
                                .arg(after.value(it.key()).width())
                                .arg(after.value(it.key()).height())));
    QVERIFY(screen->availableGeometry().contains(m_window->frameGeometry()));

    // Long values are cut in the pane; the tooltip has them whole.
    auto *summary = m_window->details()->findChild<QLabel *>(QStringLiteral("detailsSummary"));
    QVERIFY(summary);
    QVERIFY(summary->toolTip().contains(QString::fromLatin1(message.left(ConnectionSnapshot::PreviewBytes))));
    const QModelIndex clientCell = model->index(0, ConnectionTableModel::ClientColumn);
    QCOMPARE(clientCell.data(Qt::ToolTipRole).toString(), name);

}

void tst_WindowLayout::restoredLayoutFitsTheScreen()
{
    // A layout saved on a larger screen (or a bloated one) comes back
    // inside this one, and its docks leave the table room.
    m_window->resize(1680, 1000);
    auto *details = m_window->findChild<QDockWidget *>(QStringLiteral("detailsDock"));
    QVERIFY(details);
    m_window->resizeDocks({details}, {900}, Qt::Horizontal);
    QCoreApplication::processEvents();
    m_window->close();
    m_window.reset();

    createWindow();
    const QRect available = m_window->screen()->availableGeometry();
    QTRY_VERIFY2(available.contains(m_window->frameGeometry()),
                 qPrintable(QStringLiteral("%1x%2").arg(m_window->width()).arg(m_window->height())));
    details = m_window->findChild<QDockWidget *>(QStringLiteral("detailsDock"));
    QTRY_VERIFY2(details->width() <= m_window->width() / 3, qPrintable(QString::number(details->width())));
}

void tst_WindowLayout::bigCountersKeepTheLayout()
{
    // Under load: 9-digit counters in Statistics and a 9-digit "skipped"
    // note next to the traffic filter change neither docks nor window,
    // and the filter keeps room to type in.
    QCoreApplication::processEvents();
    const QRect window = m_window->geometry();
    const QHash<QString, QRect> docks = dockGeometries();
    ServerStats stats;
    stats.accepted = 123456789;
    stats.messagesIn = 987654321;
    stats.messagesOut = 987654321;
    stats.bytesIn = 987654321012;
    stats.bytesOut = 987654321012;
    stats.closes.fill(123456789);
    stats.timeouts.fill(123456789);
    m_window->statsPanel()->addSample(stats);
    m_window->trafficModel()->appendEvents({}, 123456789);
    auto *skipped = m_window->findChild<QLabel *>(QStringLiteral("skippedLabel"));
    QVERIFY(skipped);
    QTRY_VERIFY(skipped->text().contains(QLatin1String("skipped")));
    for (int i = 0; i < 5; ++i) {
        QTest::qWait(50);
        QCoreApplication::processEvents();
    }
    QCOMPARE(m_window->geometry(), window);
    const QHash<QString, QRect> after = dockGeometries();
    for (auto it = docks.cbegin(); it != docks.cend(); ++it)
        QVERIFY2(after.value(it.key()).size() == it.value().size(), qPrintable(it.key()));
    auto *filter = m_window->findChild<QLineEdit *>(QStringLiteral("trafficFilter"));
    QVERIFY(filter);
    QVERIFY2(filter->width() >= filter->fontMetrics().averageCharWidth() * 20, qPrintable(QString::number(filter->width())));
}

QTEST_MAIN(tst_WindowLayout)
#include "tst_windowlayout.moc"
