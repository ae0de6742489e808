// DUR and BYTES values of the command line (PROTOCOL.md §5).
#include "duration.h"

#include <QTest>

using namespace Vigil;

class tst_Duration : public QObject
{
    Q_OBJECT

private slots:
    void parseDuration_data();
    void parseDuration();
    void badDuration_data();
    void badDuration();
    void formatDuration_data();
    void formatDuration();
    void formatParsesBack_data() { formatDuration_data(); }
    void formatParsesBack();
    void parseByteSize_data();
    void parseByteSize();
    void badByteSize_data();
    void badByteSize();
};

void tst_Duration::parseDuration_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");

    QTest::newRow("250ms") << "250ms" << qint64(250);
    QTest::newRow("5s") << "5s" << qint64(5000);
    QTest::newRow("2m") << "2m" << qint64(120000);
    QTest::newRow("1h") << "1h" << qint64(3600000);
    QTest::newRow("1m30s") << "1m30s" << qint64(90000);
    QTest::newRow("1h1m1s1ms") << "1h1m1s1ms" << qint64(3661001);
    QTest::newRow("1.5s") << "1.5s" << qint64(1500);
    QTest::newRow("0 turns a timer off") << "0" << qint64(0);
    QTest::newRow("0s") << "0s" << qint64(0);
    QTest::newRow("0ms") << "0ms" << qint64(0);
    QTest::newRow("1ms") << "1ms" << qint64(1);
    QTest::newRow("surrounding spaces") << "  300ms " << qint64(300);
    QTest::newRow("a year") << "8760h" << qint64(8760) * 3600000;
}

void tst_Duration::parseDuration()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);

    QString error;
    const auto parsed = Vigil::parseDuration(text, &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    QCOMPARE(*parsed, ms);
    QVERIFY(error.isEmpty());
}

void tst_Duration::badDuration_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("errorContains");

    QTest::newRow("empty") << "" << "empty";
    QTest::newRow("blank") << "   " << "empty";
    QTest::newRow("bare number needs a unit") << "5" << "needs a unit";
    QTest::newRow("bare fraction needs a unit") << "0.5" << "needs a unit";
    QTest::newRow("unknown unit") << "5d" << "invalid duration";
    QTest::newRow("upper-case unit") << "5S" << "invalid duration";
    QTest::newRow("unit only") << "ms" << "invalid duration";
    QTest::newRow("negative") << "-5s" << "invalid duration";
    QTest::newRow("trailing number") << "5s3" << "invalid duration";
    QTest::newRow("word") << "soon" << "invalid duration";
    QTest::newRow("two dots") << "1.2.3s" << "invalid duration";
    QTest::newRow("space inside") << "5 s" << "invalid duration";
    QTest::newRow("over a year") << "8761h" << "too long";
    QTest::newRow("below a millisecond") << "0.4ms" << "shorter than a millisecond";
}

void tst_Duration::badDuration()
{
    QFETCH(QString, text);
    QFETCH(QString, errorContains);

    QString error;
    QVERIFY(!Vigil::parseDuration(text, &error).has_value());
    QVERIFY2(error.contains(errorContains), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    QVERIFY(!Vigil::parseDuration(text).has_value()); // no error pointer is fine
}

void tst_Duration::formatDuration_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");

    QTest::newRow("0") << qint64(0) << "0";
    QTest::newRow("250ms") << qint64(250) << "250ms";
    QTest::newRow("1500ms") << qint64(1500) << "1500ms";
    QTest::newRow("5s") << qint64(5000) << "5s";
    QTest::newRow("90s") << qint64(90000) << "90s";
    QTest::newRow("2m") << qint64(120000) << "2m";
    QTest::newRow("1h") << qint64(3600000) << "1h";
}

void tst_Duration::formatDuration()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);

    QCOMPARE(Vigil::formatDuration(ms), text);
}

void tst_Duration::formatParsesBack()
{
    QFETCH(qint64, ms);

    QCOMPARE(Vigil::parseDuration(Vigil::formatDuration(ms)).value_or(-1), ms);
}

void tst_Duration::parseByteSize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes");

    QTest::newRow("plain") << "1048576" << qint64(1048576);
    QTest::newRow("zero") << "0" << qint64(0);
    QTest::newRow("64k") << "64k" << qint64(65536);
    QTest::newRow("64K") << "64K" << qint64(65536);
    QTest::newRow("64KB") << "64KB" << qint64(65536);
    QTest::newRow("1M") << "1M" << qint64(1048576);
    QTest::newRow("1m") << "1m" << qint64(1048576);
    QTest::newRow("1MB") << "1MB" << qint64(1048576);
    QTest::newRow("2G") << "2G" << qint64(2) * 1024 * 1024 * 1024;
    QTest::newRow("spaces") << " 16 " << qint64(16);
    QTest::newRow("1 TiB in bytes") << "1099511627776" << (qint64(1) << 40);
}

void tst_Duration::parseByteSize()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytes);

    QString error;
    const auto parsed = Vigil::parseByteSize(text, &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    QCOMPARE(*parsed, bytes);
}

void tst_Duration::badByteSize_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("empty") << "";
    QTest::newRow("negative") << "-1";
    QTest::newRow("suffix only") << "k";
    QTest::newRow("fraction") << "1.5M";
    QTest::newRow("unknown suffix") << "5x";
    QTest::newRow("over 1 TiB") << "1025G";
    QTest::newRow("word") << "lots";
}

void tst_Duration::badByteSize()
{
    QFETCH(QString, text);

    QString error;
    QVERIFY(!Vigil::parseByteSize(text, &error).has_value());
    QVERIFY2(error.startsWith(QLatin1String("invalid size")), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_Duration)
#include "tst_duration.moc"
