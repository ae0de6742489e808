// ConfigFile: the INI reader behind --config.
#include "configfile.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Vigil;

namespace {
QByteArray withNul(const char *before, const char *after)
{
    QByteArray text(before);
    text.append('\0');
    text.append(after);
    return text;
}
} // namespace

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
    void loadExactlyOneMiB();
    void loadRefusesNonRegularFiles_data();
    void loadRefusesNonRegularFiles();
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
    QTest::newRow("UTF-8 byte order mark") << QByteArray("\xEF\xBB\xBFmode = sink\n") << QStringList{"mode=sink@1"};
    QTest::newRow("UTF-8 value") << QByteArray("admin-token-file = /etc/vigil/t\xC3\xB6ken\n")
                                 << QStringList{QStringLiteral("admin-token-file=/etc/vigil/t\u00f6ken@1")};
}

void tst_ConfigFile::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, entries);

    QString error;
    const auto parsed = ConfigFile::parse(text, QStringLiteral("test.conf"), &error);
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

    // Errors are "SOURCE:LINE: what", as compilers write them.
    QTest::newRow("no equals sign") << QByteArray("mode sink\n") << "test.conf:1: expected 'key = value'";
    QTest::newRow("empty key") << QByteArray("# ok\n= 5\n") << "test.conf:2: expected 'key = value'";
    QTest::newRow("unterminated section") << QByteArray("\n\n[vigild\n") << "test.conf:3: unterminated section header";
    // A NUL used to end the line silently: "max-payload = 10\0 24" read as 10.
    QTest::newRow("NUL in a value") << withNul("mode = echo\nmax-payload = 10", " 24\n")
                                    << "test.conf:2: contains a NUL byte (is this a text file?)";
    QTest::newRow("NUL in a comment") << withNul("# ", "\n") << "test.conf:1: contains a NUL byte (is this a text file?)";
    QTest::newRow("NUL on the last line") << withNul("mode = echo\n", "")
                                          << "test.conf:2: contains a NUL byte (is this a text file?)";
    QTest::newRow("not UTF-8") << QByteArray("# ok\nadmin-token-file = /etc/t\xF6ken\n") << "test.conf:2: is not valid UTF-8";
}

void tst_ConfigFile::errors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);

    QString why;
    QVERIFY(!ConfigFile::parse(text, QStringLiteral("test.conf"), &why).has_value());
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
    QCOMPARE(error, path + QStringLiteral(":3: expected 'key = value'"));

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

// The cap is inclusive: 1 MiB of comment is still a config file.
void tst_ConfigFile::loadExactlyOneMiB()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("edge.conf"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(1024 * 1024 - 12, '#') + "\nmode = sink");
    file.close();
    QCOMPARE(file.size(), qint64(1024 * 1024));
    QString error;
    const auto entries = ConfigFile::load(path, &error);
    QVERIFY2(entries.has_value(), qPrintable(error));
    QCOMPARE(entries->size(), 1);
}

// Only a regular file has a size to cap: a FIFO would block the open (no
// writer) or stream forever, /dev/zero would never end, and reload
// (PROTOCOL.md §11) needs a file it can read again. Each is refused at
// once, naming the file and what it is.
void tst_ConfigFile::loadRefusesNonRegularFiles_data()
{
    QTest::addColumn<QString>("kind"); // fifo, or a path as it is
    QTest::addColumn<QString>("what");
    QTest::newRow("FIFO without a writer") << "fifo" << "a FIFO";
    QTest::newRow("/dev/null") << "/dev/null" << "a character device";
    QTest::newRow("/dev/zero") << "/dev/zero" << "a character device";
    QTest::newRow("directory") << "/" << "a directory";
}

void tst_ConfigFile::loadRefusesNonRegularFiles()
{
    QFETCH(QString, kind);
    QFETCH(QString, what);

    QTemporaryDir dir;
    QString path = kind;
    if (kind == QLatin1String("fifo")) {
        path = dir.filePath(QStringLiteral("vigild.conf"));
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    }
    QElapsedTimer clock;
    clock.start();
    QString error;
    QVERIFY(!ConfigFile::load(path, &error).has_value());
    QCOMPARE(error, QStringLiteral("cannot read config file %1: it is %2, not a regular file").arg(path, what));
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
}

QTEST_GUILESS_MAIN(tst_ConfigFile)
#include "tst_configfile.moc"
