// SettingsForm: the connection lifecycle settings (PROTOCOL.md §10) make
// the round trip through the form, and a bad value names its field.
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

QTEST_MAIN(tst_SettingsForm)
#include "tst_settingsform.moc"
