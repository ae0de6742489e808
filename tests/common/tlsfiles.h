// Certificates for TLS tests, made at test time with the openssl CLI
// (nothing secret is checked in): an RSA-2048 and an ECDSA P-256 pair,
// a key that matches neither, and a file that is no PEM at all.
#pragma once

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>

namespace VigilTest {

class TlsFiles final
{
public:
    // false: openssl is missing or failed (error() says why).
    bool make()
    {
        if (!m_dir.isValid())
            return fail(QStringLiteral("no temporary directory"));
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            return fail(QStringLiteral("openssl is not installed"));
        return run({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-keyout", path("rsa.key"), "-out", path("rsa.crt")})
            && run({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-keyout", path("ec.key"), "-out", path("ec.crt")})
            && run({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path("other.key")})
            && write("garbage.pem", "this is not a PEM file\n");
    }
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }
    QString error() const { return m_error; }

private:
    bool fail(const QString &why)
    {
        m_error = why;
        return false;
    }
    bool run(const QList<QString> &arguments)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("openssl"), arguments);
        if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
            return fail(QStringLiteral("openssl %1: %2").arg(arguments.first(), QString::fromLocal8Bit(p.readAll())));
        return true;
    }
    bool write(const char *name, const QByteArray &text)
    {
        QFile f(path(name));
        return (f.open(QIODevice::WriteOnly) && f.write(text) == text.size()) || fail(QStringLiteral("cannot write"));
    }

    QTemporaryDir m_dir;
    QString m_error;
};

} // namespace VigilTest
