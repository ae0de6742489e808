// CloseReason: names and BYE codes exactly as PROTOCOL.md §2 lists them.
#include "closereason.h"

#include <QSet>
#include <QTest>

using namespace Vigil;

Q_DECLARE_METATYPE(Vigil::CloseReason)

class tst_CloseReason : public QObject
{
    Q_OBJECT

private slots:
    void names_data();
    void names();
    void denseIndices();
    void unknownNamesAndCodes();
    void tableIsUnique();
    void timeoutKinds();
};

void tst_CloseReason::names_data()
{
    QTest::addColumn<CloseReason>("reason");
    QTest::addColumn<int>("code"); // -1: not on the wire

    QTest::newRow("idle-timeout") << CloseReason::IdleTimeout << 1;
    QTest::newRow("lifetime-expired") << CloseReason::LifetimeExpired << 2;
    QTest::newRow("protocol-error") << CloseReason::ProtocolError << 3;
    QTest::newRow("frame-too-large") << CloseReason::FrameTooLarge << 4;
    QTest::newRow("unsupported-version") << CloseReason::UnsupportedVersion << 5;
    QTest::newRow("server-shutdown") << CloseReason::ServerShutdown << 6;
    QTest::newRow("kicked") << CloseReason::Kicked << 7;
    QTest::newRow("server-full") << CloseReason::ServerFull << 8;
    QTest::newRow("slow-consumer") << CloseReason::SlowConsumer << 9;
    QTest::newRow("rate-limited") << CloseReason::RateLimited << 10;
    QTest::newRow("normal") << CloseReason::Normal << 11;
    QTest::newRow("client-closed") << CloseReason::ClientClosed << -1;
    QTest::newRow("reset") << CloseReason::Reset << -1;
    QTest::newRow("handshake-timeout") << CloseReason::HandshakeTimeout << 14;
    QTest::newRow("untrusted-proxy") << CloseReason::UntrustedProxy << -1;
    QTest::newRow("tls-error") << CloseReason::TlsError << -1;
}

void tst_CloseReason::names()
{
    QFETCH(CloseReason, reason);
    QFETCH(int, code);

    const QString name = QString::fromLatin1(QTest::currentDataTag());
    QCOMPARE(closeReasonName(reason), name);
    QCOMPARE(parseCloseReason(name), std::optional<CloseReason>(reason));
    QCOMPARE(byeCode(reason).has_value(), code >= 0);
    if (code >= 0) {
        QCOMPARE(int(*byeCode(reason)), code);
        QCOMPARE(closeReasonFromByeCode(quint8(code)), std::optional<CloseReason>(reason));
    }
    QCOMPARE(closeReasonAt(closeReasonIndex(reason)), reason);
}

void tst_CloseReason::denseIndices()
{
    QList<int> seen;
    for (int i = 0; i < CloseReasonCount; ++i) {
        const CloseReason r = closeReasonAt(i);
        QCOMPARE(closeReasonIndex(r), i);
        QVERIFY(!seen.contains(closeReasonIndex(r)));
        seen.append(closeReasonIndex(r));
    }
    QCOMPARE(closeReasonAt(-1), CloseReason::None);
    QCOMPARE(closeReasonAt(CloseReasonCount), CloseReason::None);
}

void tst_CloseReason::unknownNamesAndCodes()
{
    QVERIFY(!parseCloseReason(QStringLiteral("timeout")).has_value());
    QVERIFY(!closeReasonFromByeCode(0).has_value());
    QVERIFY(!closeReasonFromByeCode(16).has_value()); // after v1.1's 12-15
    QVERIFY(!byeCode(CloseReason::None).has_value());
}

void tst_CloseReason::tableIsUnique()
{
    // The one table every view reads: each reason once, with its own name
    // and (where it has one) its own BYE code, and every entry reachable
    // through the lookups.
    QSet<int> values, codes;
    QSet<QString> names;
    for (const CloseReasonInfo &info : CloseReasons) {
        const QString name = QString::fromLatin1(info.name);
        QVERIFY2(!values.contains(int(info.reason)), qPrintable(name));
        values.insert(int(info.reason));
        QVERIFY2(!names.contains(name), qPrintable(name));
        names.insert(name);
        QVERIFY2(!name.isEmpty() && name == name.toLower() && !name.contains(QLatin1Char(' ')), qPrintable(name));
        QCOMPARE(closeReasonName(info.reason), name);
        QCOMPARE(parseCloseReason(name), std::optional<CloseReason>(info.reason));
        if (info.byeCode != 0) {
            QVERIFY2(!codes.contains(info.byeCode), qPrintable(name));
            codes.insert(info.byeCode);
            QCOMPARE(int(info.byeCode), int(info.reason)); // the enum value is the wire code
            QCOMPARE(closeReasonFromByeCode(info.byeCode), std::optional<CloseReason>(info.reason));
            QCOMPARE(byeCode(info.reason), std::optional<quint8>(info.byeCode));
        } else {
            QVERIFY(!byeCode(info.reason).has_value());
        }
    }
    QCOMPARE(int(values.size()), CloseReasonCount);
    for (int code = 1; code <= 15; ++code) // PROTOCOL.md §2 v1.1; later versions add more
        QVERIFY2(codes.contains(code), qPrintable(QString::number(code)));
}

void tst_CloseReason::timeoutKinds()
{
    for (const TimeoutKindInfo &info : TimeoutKinds)
        QCOMPARE(parseTimeoutKind(QString::fromLatin1(info.name)), std::optional<TimeoutKind>(info.kind));
    QVERIFY(!parseTimeoutKind(QStringLiteral("handshake-ish")).has_value());
    QCOMPARE(timeoutKindName(TimeoutKind::Idle), QStringLiteral("idle"));
    QCOMPARE(timeoutKindName(TimeoutKind::Lifetime), QStringLiteral("lifetime"));
    QCOMPARE(timeoutKindName(TimeoutKind::Write), QStringLiteral("write"));
    QCOMPARE(timeoutKindName(TimeoutKind::Frame), QStringLiteral("frame"));
    QCOMPARE(timeoutKindName(TimeoutKind::Handshake), QStringLiteral("handshake")); // PROTOCOL.md §9
}

QTEST_GUILESS_MAIN(tst_CloseReason)
#include "tst_closereason.moc"
