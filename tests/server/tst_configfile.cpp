// ConfigFile: the INI reader behind --config.
#include "configfile.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Vigil;

class tst_ConfigFile : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void errors_data();
    void errors();
    void load();
    void loadMissingFile();
    void loadTooLarge();
};

void tst_ConfigFile::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("entries"); // "key=value@line"

    QTest::newRow("empty") << QByteArray() << QStringList{};
    QTest::newRow("one entry") << QByteArray("idle-timeout = 5s\n") << QStringList{"idle-timeout=5s@1"};
    QTest::newRow("no spaces, no final newline") << QByteArray("mode=sink") << QStringList{"mode=sink@1"};
    QTest::newRow("comments and blank lines")
        << QByteArray("# a comment\n; another\n\n  \nframing = line\n") << QStringList{"framing=line@5"};
    QTest::newRow("section headers") << QByteArray("[vigild]\nmode = echo\n[General]\nthreads = 2\n")
                                     << QStringList{"mode=echo@2", "threads=2@4"};
    QTest::newRow("repeated listen kept in order")
        << QByteArray("listen = 127.0.0.1:1\nlisten = 127.0.0.1:2\n")
        << QStringList{"listen=127.0.0.1:1@1", "listen=127.0.0.1:2@2"};
    QTest::newRow("quoted value") << QByteArray("log-format = \"json\"\n") << QStringList{"log-format=json@1"};
    QTest::newRow("CRLF line ends") << QByteArray("mode = sink\r\nthreads = 1\r\n")
                                    << QStringList{"mode=sink@1", "threads=1@2"};
    QTest::newRow("empty value") << QByteArray("mode =\n") << QStringList{"mode=@1"};
    QTest::newRow("value with =") << QByteArray("a = b=c\n") << QStringList{"a=b=c@1"};
}

void tst_ConfigFile::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, entries);

    QString error;
    const auto parsed = ConfigFile::parse(text, &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    QStringList got;
    for (const ConfigEntry &e : *parsed)
        got << QStringLiteral("%1=%2@%3").arg(e.key, e.value).arg(e.line);
    QCOMPARE(got, entries);
}

void tst_ConfigFile::errors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");

    QTest::newRow("no equals sign") << QByteArray("mode sink\n") << "line 1: expected 'key = value'";
    QTest::newRow("empty key") << QByteArray("# ok\n= 5\n") << "line 2: expected 'key = value'";
    QTest::newRow("unterminated section") << QByteArray("\n\n[vigild\n") << "line 3: unterminated section header";
}

void tst_ConfigFile::errors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);

    QString why;
    QVERIFY(!ConfigFile::parse(text, &why).has_value());
    QCOMPARE(why, error);
}

void tst_ConfigFile::load()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("vigild.conf"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("[vigild]\nidle-timeout = 2s\nbogus line\n");
    file.close();

    QString error;
    QVERIFY(!ConfigFile::load(path, &error).has_value());
    QCOMPARE(error, path + QStringLiteral(": line 3: expected 'key = value'"));

    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("idle-timeout = 2s\n");
    file.close();
    const auto entries = ConfigFile::load(path, &error);
    QVERIFY2(entries.has_value(), qPrintable(error));
    QCOMPARE(entries->size(), 1);
    QCOMPARE(entries->constFirst().key, QStringLiteral("idle-timeout"));
    QCOMPARE(entries->constFirst().value, QStringLiteral("2s"));
}

void tst_ConfigFile::loadMissingFile()
{
    QString error;
    QVERIFY(!ConfigFile::load(QStringLiteral("/nonexistent/vigild.conf"), &error).has_value());
    QVERIFY2(error.startsWith(QLatin1String("cannot read config file /nonexistent/vigild.conf")), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
}

void tst_ConfigFile::loadTooLarge()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("big.conf"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(1024 * 1024 + 1, '#'));
    file.close();
    QString error;
    QVERIFY(!ConfigFile::load(path, &error).has_value());
    QVERIFY2(error.contains(QLatin1String("larger than 1 MiB")), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_ConfigFile)
#include "tst_configfile.moc"
