// TlsContext: loads PEM certificate chains and keys into an SSL_CTX with
// TLS 1.2..1.3 only and released buffers; every failure is one line
// naming the file (PROTOCOL.md §9). Certificates come from the openssl CLI.
#include "tlscontext.h"
#include "tlsfiles.h"

#include <QTest>

#include <openssl/ssl.h>

using namespace Vigil;
using namespace VigilTest;

class tst_TlsContext : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void loads_data();
    void loads();
    void failures_data();
    void failures();

private:
    TlsFiles m_files;
};

void tst_TlsContext::initTestCase()
{
    QVERIFY2(m_files.make(), qPrintable(m_files.error()));
}

void tst_TlsContext::loads_data()
{
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QString>("key");
    QTest::newRow("rsa-2048") << m_files.path("rsa.crt") << m_files.path("rsa.key");
    QTest::newRow("ecdsa-p256") << m_files.path("ec.crt") << m_files.path("ec.key");
}

void tst_TlsContext::loads()
{
    QFETCH(QString, cert);
    QFETCH(QString, key);
    QString error;
    const auto context = TlsContext::load(cert, key, &error);
    QVERIFY2(context, qPrintable(error));
    SSL_CTX *ctx = context->handle();
    QCOMPARE(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
    QCOMPARE(SSL_CTX_get_max_proto_version(ctx), TLS1_3_VERSION);
    QVERIFY(SSL_CTX_get_mode(ctx) & SSL_MODE_RELEASE_BUFFERS);
    QVERIFY(SSL_CTX_get_options(ctx) & SSL_OP_NO_COMPRESSION);
    QVERIFY(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION);
    QCOMPARE(context->certFile(), cert);
}

void tst_TlsContext::failures_data()
{
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("error"); // the start of the one line
    QTest::addColumn<QString>("names"); // the file it must name

    const QString missing = m_files.path("missing.pem");
    QTest::newRow("missing cert") << missing << m_files.path("rsa.key")
                                  << QStringLiteral("cannot read --tls-cert %1: no such file").arg(missing) << missing;
    QTest::newRow("missing key") << m_files.path("rsa.crt") << missing
                                 << QStringLiteral("cannot read --tls-key %1: no such file").arg(missing) << missing;
    QTest::newRow("directory as cert") << m_files.path("") << m_files.path("rsa.key")
                                       << QStringLiteral("cannot read --tls-cert") << m_files.path("");
    QTest::newRow("garbage cert") << m_files.path("garbage.pem") << m_files.path("rsa.key")
                                  << QStringLiteral("cannot load --tls-cert %1: ").arg(m_files.path("garbage.pem"))
                                  << m_files.path("garbage.pem");
    QTest::newRow("garbage key") << m_files.path("rsa.crt") << m_files.path("garbage.pem")
                                 << QStringLiteral("cannot load --tls-key %1: ").arg(m_files.path("garbage.pem"))
                                 << m_files.path("garbage.pem");
    QTest::newRow("key as cert") << m_files.path("rsa.key") << m_files.path("rsa.key")
                                 << QStringLiteral("cannot load --tls-cert %1: ").arg(m_files.path("rsa.key"))
                                 << m_files.path("rsa.key");
    QTest::newRow("other key") << m_files.path("rsa.crt") << m_files.path("other.key")
                               << QStringLiteral("--tls-key %1 does not match the certificate in %2")
                                      .arg(m_files.path("other.key"), m_files.path("rsa.crt"))
                               << m_files.path("other.key");
    QTest::newRow("ec key for rsa cert") << m_files.path("rsa.crt") << m_files.path("ec.key")
                                         << QStringLiteral("--tls-key %1 does not match").arg(m_files.path("ec.key"))
                                         << m_files.path("ec.key");
}

void tst_TlsContext::failures()
{
    QFETCH(QString, cert);
    QFETCH(QString, key);
    QFETCH(QString, error);
    QFETCH(QString, names);
    QString why;
    QVERIFY(!TlsContext::load(cert, key, &why));
    QVERIFY2(why.startsWith(error), qPrintable(why));
    QVERIFY2(why.contains(names), qPrintable(why));
    QVERIFY(!why.contains(QLatin1Char('\n')));
}

QTEST_GUILESS_MAIN(tst_TlsContext)
#include "tst_tlscontext.moc"
