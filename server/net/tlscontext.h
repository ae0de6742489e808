// The server side of TLS for ,tls listeners (PROTOCOL.md §9): one OpenSSL
// 3 SSL_CTX loaded from --tls-cert and --tls-key, TLS 1.2 and 1.3 only,
// record buffers released while a connection is idle. Shared by every
// network thread (an SSL_CTX is safe to use from several threads once
// built); a reload builds a new one and new handshakes use it.
#pragma once

#include <QString>
#include <memory>

struct ssl_ctx_st;

namespace Vigil {

class TlsContext final
{
public:
    ~TlsContext();
    TlsContext(const TlsContext &) = delete;
    TlsContext &operator=(const TlsContext &) = delete;

    // The PEM certificate chain and private key. nullptr with *error one
    // line naming the file that failed (for a key that does not match the
    // certificate, the key file), as PROTOCOL.md §9 asks.
    static std::shared_ptr<TlsContext> load(const QString &certFile, const QString &keyFile, QString *error);

    ssl_ctx_st *handle() const { return m_ctx; }
    const QString &certFile() const { return m_certFile; }
    const QString &keyFile() const { return m_keyFile; }

private:
    TlsContext() = default;

    ssl_ctx_st *m_ctx = nullptr;
    QString m_certFile;
    QString m_keyFile;
};

} // namespace Vigil
