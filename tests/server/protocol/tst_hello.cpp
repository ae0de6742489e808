// HELLO parsing and WELCOME building (PROTOCOL.md §2).
#include "hello.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Vigil;

class tst_Hello : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void malformed_data();
    void malformed();
    void helloRoundTrip();
    void welcomeHasEveryKey();
    void welcomeRoundTrip();
    void serverVersion();
};

void tst_Hello::parse_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("policy");   // empty: not given
    QTest::addColumn<qint64>("keepalive"); // -1: not given

    QTest::newRow("empty object") << QByteArray("{}") << "" << "" << qint64(-1);
    QTest::newRow("every key") << QByteArray(R"({"client": "sensor-17", "policy": "long", "keepalive_ms": 10000})")
                               << "sensor-17" << "long" << qint64(10000);
    QTest::newRow("short") << QByteArray(R"({"policy": "short"})") << "" << "short" << qint64(-1);
    QTest::newRow("keepalive 0") << QByteArray(R"({"keepalive_ms": 0})") << "" << "" << qint64(0);
    QTest::newRow("keepalive as 10000.0") << QByteArray(R"({"keepalive_ms": 10000.0})") << "" << "" << qint64(10000);
    QTest::newRow("unknown keys are ignored") << QByteArray(R"({"future": [1, 2], "client": "x"})") << "x" << ""
                                              << qint64(-1);
    QTest::newRow("UTF-8 client") << QByteArray("{\"client\": \"caf\xc3\xa9\"}") << QString::fromUtf8("caf\xc3\xa9")
                                  << "" << qint64(-1);
    QTest::newRow("client cut at 128 characters") << "{\"client\": \"" + QByteArray(300, 'c') + "\"}"
                                                  << QString(128, QLatin1Char('c')) << "" << qint64(-1);
}

void tst_Hello::parse()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, client);
    QFETCH(QString, policy);
    QFETCH(qint64, keepalive);

    QString error;
    const auto hello = Hello::parse(json.constData(), size_t(json.size()), &error);
    QVERIFY2(hello.has_value(), qPrintable(error));
    QCOMPARE(hello->client, client);
    QCOMPARE(hello->policy.has_value(), !policy.isEmpty());
    if (hello->policy)
        QCOMPARE(policyName(*hello->policy), policy);
    QCOMPARE(hello->keepaliveMs.value_or(-1), keepalive);
}

void tst_Hello::malformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("errorContains");

    QTest::newRow("empty payload") << QByteArray() << "not JSON";
    QTest::newRow("not JSON") << QByteArray("hello") << "not JSON";
    QTest::newRow("truncated") << QByteArray(R"({"policy": "lo)") << "not JSON";
    QTest::newRow("array") << QByteArray("[1]") << "not a JSON object";
    QTest::newRow("client not a string") << QByteArray(R"({"client": 17})") << "\"client\"";
    QTest::newRow("unknown policy") << QByteArray(R"({"policy": "forever"})") << "\"policy\"";
    QTest::newRow("policy not a string") << QByteArray(R"({"policy": 1})") << "\"policy\"";
    QTest::newRow("negative keepalive") << QByteArray(R"({"keepalive_ms": -1})") << "\"keepalive_ms\"";
    QTest::newRow("fractional keepalive") << QByteArray(R"({"keepalive_ms": 1.5})") << "\"keepalive_ms\"";
    QTest::newRow("keepalive as string") << QByteArray(R"({"keepalive_ms": "10000"})") << "\"keepalive_ms\"";
    QTest::newRow("huge keepalive") << QByteArray(R"({"keepalive_ms": 1e300})") << "\"keepalive_ms\"";
}

void tst_Hello::malformed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, errorContains);

    QString error;
    QVERIFY(!Hello::parse(json.constData(), size_t(json.size()), &error).has_value());
    QVERIFY2(error.contains(errorContains), qPrintable(error));
}

void tst_Hello::helloRoundTrip()
{
    Hello hello;
    hello.client = QStringLiteral("sensor-17");
    hello.policy = Policy::Short;
    hello.keepaliveMs = 2500;
    const QByteArray json = hello.toJson();
    const auto back = Hello::parse(json.constData(), size_t(json.size()));
    QVERIFY(back.has_value());
    QCOMPARE(back->client, hello.client);
    QCOMPARE(back->policy, hello.policy);
    QCOMPARE(back->keepaliveMs, hello.keepaliveMs);
}

// PROTOCOL.md §2: WELCOME has all keys present.
void tst_Hello::welcomeHasEveryKey()
{
    Welcome w;
    w.conn = 42;
    w.timers.policy = Policy::Long;
    w.timers.idleTimeoutMs = 15000;
    w.timers.maxLifetimeMs = 0;
    w.maxPayload = 1048576;
    const QJsonObject o = QJsonDocument::fromJson(w.toJson()).object();
    const QStringList keys{QStringLiteral("conn"), QStringLiteral("policy"), QStringLiteral("idle_timeout_ms"),
                           QStringLiteral("max_lifetime_ms"), QStringLiteral("max_payload"), QStringLiteral("server")};
    for (const QString &key : keys)
        QVERIFY2(o.contains(key), qPrintable(key));
    QCOMPARE(o.value(QLatin1String("conn")).toInteger(), 42);
    QCOMPARE(o.value(QLatin1String("policy")).toString(), QStringLiteral("long"));
    QCOMPARE(o.value(QLatin1String("idle_timeout_ms")).toInteger(), 15000);
    QCOMPARE(o.value(QLatin1String("max_lifetime_ms")).toInteger(), 0);
    QCOMPARE(o.value(QLatin1String("max_payload")).toInteger(), 1048576);
    QCOMPARE(o.value(QLatin1String("server")).toString(), QStringLiteral("vigild/" VIGIL_VERSION));
}

void tst_Hello::welcomeRoundTrip()
{
    Welcome w;
    w.conn = 7;
    w.timers.policy = Policy::Short;
    w.timers.idleTimeoutMs = 300;
    w.timers.maxLifetimeMs = 1000;
    w.maxPayload = 64;
    const auto back = Welcome::parse(w.toJson());
    QVERIFY(back.has_value());
    QCOMPARE(back->conn, quint64(7));
    QCOMPARE(back->timers.policy, Policy::Short);
    QCOMPARE(back->timers.idleTimeoutMs, qint64(300));
    QCOMPARE(back->timers.maxLifetimeMs, qint64(1000));
    QCOMPARE(back->maxPayload, qint64(64));
    QVERIFY(!Welcome::parse("nope").has_value());
}

void tst_Hello::serverVersion()
{
    QCOMPARE(serverVersionString(), QStringLiteral("vigild/" VIGIL_VERSION));
}

QTEST_GUILESS_MAIN(tst_Hello)
#include "tst_hello.moc"
