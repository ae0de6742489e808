// Building the SSL_CTX: protocol floor and ceiling, buffers, the files.
#include "tlscontext.h"

#include <QFile>
#include <QFileInfo>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace Vigil {

namespace {
// OpenSSL's reason for the last failure, without its "error:0A00...:" prefix
// and lower-cased, for a one-line message.
QString lastSslError()
{
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0)
        return QStringLiteral("unknown error");
    const char *reason = ERR_reason_error_string(code);
    return reason ? QString::fromLatin1(reason).toLower() : QStringLiteral("error %1").arg(code, 0, 16);
}

// Checked before OpenSSL is asked, so "no such file" reads as the system says it.
QString unreadable(const QString &path)
{
    QFile file(path);
    if (!QFileInfo(path).isFile())
        return QFileInfo::exists(path) ? QStringLiteral("not a regular file") : QStringLiteral("no such file");
    if (!file.open(QIODevice::ReadOnly))
        return file.errorString().toLower();
    return QString();
}
} // namespace

TlsContext::~TlsContext()
{
    SSL_CTX_free(m_ctx);
}

std::shared_ptr<TlsContext> TlsContext::load(const QString &certFile, const QString &keyFile, QString *error)
{
    auto fail = [error](const QString &what) -> std::shared_ptr<TlsContext> {
        if (error)
            *error = what;
        return nullptr;
    };
    for (const auto &[path, flag] : {std::pair{certFile, "--tls-cert"}, std::pair{keyFile, "--tls-key"}}) {
        const QString why = unreadable(path);
        if (!why.isEmpty())
            return fail(QStringLiteral("cannot read %1 %2: %3").arg(QLatin1String(flag), path, why));
    }
    std::shared_ptr<TlsContext> context(new TlsContext());
    context->m_certFile = certFile;
    context->m_keyFile = keyFile;
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return fail(QStringLiteral("cannot create a TLS context: %1").arg(lastSslError()));
    context->m_ctx = ctx;
    // TLS 1.2 and 1.3 only; OpenSSL 3's default ciphers for each (no
    // RC4, no export, no CBC-SHA1 at its default security level 2).
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    // A peer's FIN without close_notify reads as its end, as in clear
    // (client-closed), not as an error: the framing delimits messages,
    // so no truncation can pass unseen.
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE
                                 | SSL_OP_IGNORE_UNEXPECTED_EOF);
    // An idle connection holds no record buffers (the 16 KiB per
    // connection budget of issue #15's hold benchmark depends on it).
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE
                              | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    const QByteArray cert = QFile::encodeName(certFile);
    const QByteArray key = QFile::encodeName(keyFile);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert.constData()) != 1)
        return fail(QStringLiteral("cannot load --tls-cert %1: %2").arg(certFile, lastSslError()));
    if (SSL_CTX_use_PrivateKey_file(ctx, key.constData(), SSL_FILETYPE_PEM) != 1) {
        // OpenSSL compares the key with the certificate as it loads it: a
        // key that reads but belongs to another certificate is a mismatch.
        const unsigned long code = ERR_peek_last_error();
        if (ERR_GET_LIB(code) == ERR_LIB_X509
            && (ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH || ERR_GET_REASON(code) == X509_R_KEY_TYPE_MISMATCH)) {
            ERR_clear_error();
            return fail(QStringLiteral("--tls-key %1 does not match the certificate in %2").arg(keyFile, certFile));
        }
        return fail(QStringLiteral("cannot load --tls-key %1: %2").arg(keyFile, lastSslError()));
    }
    if (SSL_CTX_check_private_key(ctx) != 1)
        return fail(QStringLiteral("--tls-key %1 does not match the certificate in %2").arg(keyFile, certFile));
    ERR_clear_error();
    return context;
}

} // namespace Vigil
