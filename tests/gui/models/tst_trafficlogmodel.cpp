// TrafficLogModel: the model contract, the bound (front removal),
// skipped-event notes, pause, hex, and the filter proxy.
#include "feedtext.h"
#include "trafficfilterproxy.h"
#include "trafficlogmodel.h"

#include <QAbstractItemModelTester>
#include <QGuiApplication>
#include <QPalette>
#include <QSignalSpy>
#include <QTest>

using namespace Vigil;

namespace {
ServerEvent makeEvent(EventKind kind, quint64 conn, const QByteArray &preview = QByteArray())
{
    ServerEvent e;
    e.kind = kind;
    e.conn = conn;
    e.wallMs = 1700000000000;
    e.peer = QStringLiteral("127.0.0.1:5000");
    e.preview = preview;
    e.size = quint32(preview.size());
    return e;
}

QVector<ServerEvent> messages(int count, quint64 conn = 1)
{
    QVector<ServerEvent> out;
    for (int i = 0; i < count; ++i)
        out.append(makeEvent(EventKind::MessageIn, conn, QByteArray::number(i)));
    return out;
}
} // namespace

class tst_TrafficLogModel : public QObject
{
    Q_OBJECT

private slots:
    void followsADarkPalette();
    void init();
    void cleanup();
    void appendsInOneBlock();
    void staysBounded();
    void oversizedBatchKeepsNewest();
    void countsDroppedEvents();
    void pauseHoldsEvents();
    void hexToggle();
    void closeReasonsShow();
    void proxyFilters();

private:
    TrafficLogModel *m_model = nullptr;
    QAbstractItemModelTester *m_tester = nullptr;
};

void tst_TrafficLogModel::init()
{
    m_model = new TrafficLogModel;
    m_tester = new QAbstractItemModelTester(m_model, QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void tst_TrafficLogModel::cleanup()
{
    delete m_tester;
    delete m_model;
}

void tst_TrafficLogModel::appendsInOneBlock()
{
    QSignalSpy inserted(m_model, &QAbstractItemModel::rowsInserted);
    m_model->appendEvents(messages(50));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(m_model->rowCount(), 50);
    QCOMPARE(m_model->capacity(), TrafficLogModel::DefaultCapacity);
}

void tst_TrafficLogModel::staysBounded()
{
    m_model->setCapacity(100);
    QSignalSpy removed(m_model, &QAbstractItemModel::rowsRemoved);
    for (int i = 0; i < 30; ++i)
        m_model->appendEvents(messages(7));
    QCOMPARE(m_model->rowCount(), 100);
    QVERIFY(removed.count() > 0);
    // Removals are always at the front.
    for (const auto &args : std::as_const(removed))
        QCOMPARE(args.at(1).toInt(), 0);
    // The newest entry is last.
    QCOMPARE(m_model->eventAt(99)->preview, QByteArray("6"));
}

void tst_TrafficLogModel::oversizedBatchKeepsNewest()
{
    m_model->setCapacity(10);
    m_model->appendEvents(messages(5));
    m_model->appendEvents(messages(25));
    QCOMPARE(m_model->rowCount(), 10);
    QCOMPARE(m_model->eventAt(0)->preview, QByteArray("15"));
    QCOMPARE(m_model->eventAt(9)->preview, QByteArray("24"));
}

void tst_TrafficLogModel::countsDroppedEvents()
{
    QSignalSpy skipped(m_model, &TrafficLogModel::skippedChanged);
    m_model->appendEvents(messages(3), 1234);
    QCOMPARE(m_model->skipped(), quint64(1234));
    QCOMPARE(skipped.count(), 1);
    QCOMPARE(m_model->rowCount(), 4);
    QVERIFY(!m_model->eventAt(3));
    QVERIFY(m_model->index(3, TrafficLogModel::DetailColumn).data().toString().contains(QStringLiteral("1234")));
    m_model->appendEvents({}, 6);
    QCOMPARE(m_model->skipped(), quint64(1240));
}

void tst_TrafficLogModel::pauseHoldsEvents()
{
    m_model->setCapacity(20);
    m_model->appendEvents(messages(5));
    m_model->setPaused(true);
    m_model->appendEvents(messages(30));
    QCOMPARE(m_model->rowCount(), 5);
    QCOMPARE(m_model->skipped(), quint64(10)); // the bound holds while paused
    m_model->setPaused(false);
    QCOMPARE(m_model->rowCount(), 20);
    QCOMPARE(m_model->eventAt(19)->preview, QByteArray("29"));
}

void tst_TrafficLogModel::hexToggle()
{
    m_model->appendEvents({makeEvent(EventKind::MessageIn, 1, QByteArray("AB\x01"))});
    const QModelIndex detail = m_model->index(0, TrafficLogModel::DetailColumn);
    QVERIFY(detail.data().toString().endsWith(QStringLiteral("AB.")));
    QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
    m_model->setHexMode(true);
    QCOMPARE(changed.count(), 1);
    QVERIFY(detail.data().toString().endsWith(QStringLiteral("41 42 01")));
}

void tst_TrafficLogModel::closeReasonsShow()
{
    ServerEvent closed = makeEvent(EventKind::Closed, 7);
    closed.reason = CloseReason::IdleTimeout;
    ServerEvent timeout = makeEvent(EventKind::Timeout, 7);
    timeout.timeout = TimeoutKind::Idle;
    m_model->appendEvents({timeout, closed});
    QCOMPARE(m_model->index(1, TrafficLogModel::DetailColumn).data().toString(), QStringLiteral("idle-timeout"));
    QCOMPARE(m_model->index(1, 0).data(TrafficLogModel::ReasonRole).toString(), QStringLiteral("idle-timeout"));
    QCOMPARE(m_model->index(1, TrafficLogModel::EventColumn).data().toString(), QStringLiteral("closed"));
}

void tst_TrafficLogModel::proxyFilters()
{
    TrafficFilterProxy proxy;
    proxy.setSourceModel(m_model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ServerEvent closed = makeEvent(EventKind::Closed, 2);
    closed.reason = CloseReason::Kicked;
    m_model->appendEvents(messages(4, 1) + messages(3, 2) + QVector<ServerEvent>{closed});
    QCOMPARE(proxy.rowCount(), 8);
    proxy.setConnection(2);
    QCOMPARE(proxy.rowCount(), 4);
    proxy.setKind(TrafficFilterProxy::EndsKind);
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setKind(TrafficFilterProxy::AnyKind);
    proxy.setConnection(0);
    proxy.setText(QStringLiteral("kicked"));
    QCOMPARE(proxy.rowCount(), 1);
    // New events are filtered as they arrive.
    proxy.setText(QString());
    proxy.setConnection(1);
    m_model->appendEvents(messages(2, 1) + messages(2, 3));
    QCOMPARE(proxy.rowCount(), 6);
}

void tst_TrafficLogModel::followsADarkPalette()
{
    // The colours that mark ends of connections stay readable when the
    // system's palette is dark.
    TrafficLogModel model;
    ServerEvent closed;
    closed.kind = EventKind::Closed;
    closed.conn = 3;
    model.appendEvents({closed});
    const QPalette light = QGuiApplication::palette();
    const QColor onLight = model.index(0, TrafficLogModel::EventColumn).data(Qt::ForegroundRole).value<QColor>();
    QPalette dark = light;
    dark.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
    dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
    QGuiApplication::setPalette(dark);
    const QColor onDark = model.index(0, TrafficLogModel::EventColumn).data(Qt::ForegroundRole).value<QColor>();
    QGuiApplication::setPalette(light);
    QVERIFY2(onDark.lightness() > onLight.lightness() + 40,
             qPrintable(QStringLiteral("%1 vs %2").arg(onDark.name(), onLight.name())));
    QVERIFY(FeedText::readable(onLight) == onLight);
}

QTEST_MAIN(tst_TrafficLogModel)
#include "tst_trafficlogmodel.moc"
