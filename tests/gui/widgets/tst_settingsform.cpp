// SettingsForm: the connection lifecycle settings (PROTOCOL.md §10) and
// the drain time make the round trip through the form, a listener's ,tls
// and ,proxy options survive it (§9), and a bad value names its field.
#include "settingsform.h"

#include <QLineEdit>
#include <QSpinBox>
#include <QTest>

using namespace Vigil;

class tst_SettingsForm : public QObject
{
    Q_OBJECT

private slots:
    void lifecycleRoundTrip();
    void lifecycleDefaultsAreOff();
    void badLifecycleValueNamesTheField();
    void drainTimeRoundTrip();
    void listenerOptionsSurvive();
    void tlsListenerNeedsItsFiles();
};

void tst_SettingsForm::lifecycleRoundTrip()
{
    ServerConfig in;
    in.maxLifetimeMs = 60000;
    in.lifetimeJitterPct = 20;
    in.lifetimeGraceMs = 5000;
    in.minPingIntervalMs = 250;
    in.frameTimeoutMs = 3000;
    SettingsForm form;
    form.setConfig(in);
    QCOMPARE(form.lifetimeJitterBox()->value(), 20);
    QCOMPARE(form.lifetimeGraceEdit()->text(), QStringLiteral("5s"));
    QCOMPARE(form.minPingIntervalEdit()->text(), QStringLiteral("250ms"));
    QCOMPARE(form.frameTimeoutEdit()->text(), QStringLiteral("3s"));
    const std::optional<ServerConfig> out = form.config();
    QVERIFY(out);
    QCOMPARE(out->lifetimeJitterPct, 20);
    QCOMPARE(out->lifetimeGraceMs, qint64(5000));
    QCOMPARE(out->minPingIntervalMs, qint64(250));
    QCOMPARE(out->frameTimeoutMs, qint64(3000));

    // Edited in the form, read back.
    form.lifetimeJitterBox()->setValue(50);
    form.frameTimeoutEdit()->setText(QStringLiteral("0"));
    form.minPingIntervalEdit()->setText(QString()); // empty: off
    const std::optional<ServerConfig> edited = form.config();
    QVERIFY(edited);
    QCOMPARE(edited->lifetimeJitterPct, 50);
    QCOMPARE(edited->frameTimeoutMs, qint64(0));
    QCOMPARE(edited->minPingIntervalMs, qint64(0));
    QCOMPARE(form.lifetimeJitterBox()->maximum(), ServerConfig::MaxLifetimeJitterPct);
}

void tst_SettingsForm::lifecycleDefaultsAreOff()
{
    SettingsForm form;
    const std::optional<ServerConfig> c = form.config();
    QVERIFY(c);
    QCOMPARE(c->lifetimeJitterPct, 0);
    QCOMPARE(c->lifetimeGraceMs, qint64(0));
    QCOMPARE(c->minPingIntervalMs, qint64(0));
    QCOMPARE(c->frameTimeoutMs, qint64(0));
}

void tst_SettingsForm::badLifecycleValueNamesTheField()
{
    SettingsForm form;
    form.lifetimeGraceEdit()->setText(QStringLiteral("soon"));
    QVERIFY(!form.isValid());
    QVERIFY2(form.errorString().startsWith(QLatin1String("Lifetime grace: ")), qPrintable(form.errorString()));
    form.lifetimeGraceEdit()->setText(QStringLiteral("2s"));
    QVERIFY(form.isValid());
    form.frameTimeoutEdit()->setText(QStringLiteral("5"));
    QVERIFY2(form.errorString().startsWith(QLatin1String("Frame timeout: ")), qPrintable(form.errorString()));
}

void tst_SettingsForm::drainTimeRoundTrip()
{
    ServerConfig in;
    in.drainTimeMs = 30000;
    SettingsForm form;
    form.setConfig(in);
    QCOMPARE(form.drainTimeEdit()->text(), QStringLiteral("30s"));
    form.drainTimeEdit()->setText(QStringLiteral("2m"));
    QCOMPARE(form.config()->drainTimeMs, qint64(120000));
    form.drainTimeEdit()->setText(QStringLiteral("a while"));
    QVERIFY(!form.isValid());
    QVERIFY2(form.errorString().startsWith(QLatin1String("Drain time: ")), qPrintable(form.errorString()));
}

void tst_SettingsForm::listenerOptionsSurvive()
{
    ServerConfig in;
    in.listen = {*ListenAddress::parseListener(QStringLiteral("127.0.0.1:7600")),
                 *ListenAddress::parseListener(QStringLiteral("127.0.0.1:7601,proxy"))};
    SettingsForm form;
    form.setConfig(in);
    QCOMPARE(form.listenEdit()->text(), QStringLiteral("127.0.0.1:7600, 127.0.0.1:7601,proxy"));
    std::optional<ServerConfig> out = form.config();
    QVERIFY2(out, qPrintable(form.errorString()));
    QCOMPARE(out->listen, in.listen);

    // Typed with spaces and in capitals, the option still joins its address.
    form.listenEdit()->setText(QStringLiteral("127.0.0.1:7602 , PROXY 127.0.0.1:7603"));
    out = form.config();
    QVERIFY2(out, qPrintable(form.errorString()));
    QCOMPARE(out->listen.size(), 2);
    QVERIFY(out->listen.at(0).proxy);
    QVERIFY(!out->listen.at(1).proxy);

    // An option with no address before it, or twice, is refused by name.
    form.listenEdit()->setText(QStringLiteral("proxy, 127.0.0.1:7600"));
    QVERIFY(!form.isValid());
    QVERIFY2(form.errorString().contains(QLatin1String("\"proxy\" must follow a HOST:PORT")), qPrintable(form.errorString()));
    form.listenEdit()->setText(QStringLiteral("127.0.0.1:7600,proxy,proxy"));
    QVERIFY(!form.isValid());
    QVERIFY2(form.errorString().startsWith(QLatin1String("Listen on: ")), qPrintable(form.errorString()));
}

// A ,tls listener is refused until both files are given, by the flags'
// names; the files then make the round trip.
void tst_SettingsForm::tlsListenerNeedsItsFiles()
{
    SettingsForm form;
    form.listenEdit()->setText(QStringLiteral("127.0.0.1:7600,tls"));
    QVERIFY(!form.isValid());
    QVERIFY2(form.errorString().contains(QLatin1String("needs --tls-cert and --tls-key")), qPrintable(form.errorString()));
    form.tlsCertEdit()->setText(QStringLiteral("/etc/vigil/server.crt"));
    QVERIFY2(form.errorString().contains(QLatin1String("needs --tls-key")), qPrintable(form.errorString()));
    form.tlsKeyEdit()->setText(QStringLiteral("/etc/vigil/server.key"));
    const std::optional<ServerConfig> c = form.config();
    QVERIFY2(c, qPrintable(form.errorString()));
    QVERIFY(c->listen.value(0).tls);
    QCOMPARE(c->tlsCert, QStringLiteral("/etc/vigil/server.crt"));
    SettingsForm again;
    again.setConfig(*c);
    QCOMPARE(again.tlsKeyEdit()->text(), QStringLiteral("/etc/vigil/server.key"));
    QCOMPARE(again.listenEdit()->text(), QStringLiteral("127.0.0.1:7600,tls"));
}

QTEST_MAIN(tst_SettingsForm)
#include "tst_settingsform.moc"
