// PROTOCOL.md §9 on the real vigild: a tls listener whose certificate or
// key cannot be loaded, or do not match, is exit 2 with one line on stderr
// naming the file (for a mismatch, the key file). Files from the openssl CLI.
#include "tlsfiles.h"
#include "vigildprocess.h"

#include <QTest>

using namespace VigilTest;

class tst_TlsFiles : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void badFilesExitTwo_data();
    void badFilesExitTwo();
    void missingFilesAreNamed_data();
    void missingFilesAreNamed();

private:
    TlsFiles m_files;
};

void tst_TlsFiles::initTestCase()
{
    QVERIFY2(m_files.make(), qPrintable(m_files.error()));
}

void tst_TlsFiles::badFilesExitTwo_data()
{
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("named");
    const QString missing = m_files.path("missing.pem");
    QTest::newRow("missing cert") << missing << m_files.path("rsa.key") << missing;
    QTest::newRow("missing key") << m_files.path("rsa.crt") << missing << missing;
    QTest::newRow("garbage cert") << m_files.path("garbage.pem") << m_files.path("rsa.key") << m_files.path("garbage.pem");
    QTest::newRow("garbage key") << m_files.path("ec.crt") << m_files.path("garbage.pem") << m_files.path("garbage.pem");
    QTest::newRow("mismatch") << m_files.path("rsa.crt") << m_files.path("other.key") << m_files.path("other.key");
}

void tst_TlsFiles::badFilesExitTwo()
{
    QFETCH(QString, cert);
    QFETCH(QString, key);
    QFETCH(QString, named);
    const RunResult r = runVigild({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0,tls"), QStringLiteral("--tls-cert"),
                                   cert, QStringLiteral("--tls-key"), key});
    QCOMPARE(r.exitStatus, QProcess::NormalExit);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty()); // nothing was bound, nothing listened
    QVERIFY2(r.err.endsWith('\n') && r.err.count('\n') == 1, r.err.constData());
    QVERIFY2(r.err.contains(named.toUtf8()), r.err.constData());
}

void tst_TlsFiles::missingFilesAreNamed_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("error");
    QTest::newRow("neither") << QStringList{"--listen", "127.0.0.1:0,tls"}
                             << "vigild: --listen 127.0.0.1:0,tls needs --tls-cert and --tls-key\n";
    QTest::newRow("no key") << QStringList{"--listen", "127.0.0.1:0,tls", "--tls-cert", "/etc/vigil/cert.pem"}
                            << "vigild: --listen 127.0.0.1:0,tls needs --tls-key\n";
}

void tst_TlsFiles::missingFilesAreNamed()
{
    QFETCH(QStringList, flags);
    QFETCH(QString, error);
    const RunResult r = runVigild(flags);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(QString::fromUtf8(r.err), error);
}

QTEST_GUILESS_MAIN(tst_TlsFiles)
#include "tst_tlsfiles.moc"
