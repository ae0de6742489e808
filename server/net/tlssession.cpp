// Non-blocking OpenSSL on a connection's socket, with recv()/send() results.
#include "tlssession.h"

#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace Vigil {

namespace {
// The reason of the failure OpenSSL queued ("wrong version number",
// "no shared cipher"), and the queue emptied: every later SSL_get_error
// then sees only its own call's errors.
QString takeSslError()
{
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0)
        return QString();
    const char *reason = ERR_reason_error_string(code);
    return reason ? QString::fromLatin1(reason) : QStringLiteral("error %1").arg(code, 0, 16);
}
} // namespace

TlsSession::TlsSession(ssl_ctx_st *context, int fd)
    : m_ssl(context ? SSL_new(context) : nullptr)
{
    if (!m_ssl)
        return;
    // SSL_set_fd's socket BIO does not own the descriptor: the Connection does.
    if (SSL_set_fd(m_ssl, fd) != 1) {
        SSL_free(m_ssl);
        m_ssl = nullptr;
        ERR_clear_error();
        return;
    }
    SSL_set_accept_state(m_ssl);
}

TlsSession::~TlsSession()
{
    SSL_free(m_ssl);
}

TlsSession::Step TlsSession::handshake()
{
    const int r = SSL_do_handshake(m_ssl);
    if (r == 1) {
        m_established = true;
        return Step::Done;
    }
    const int e = SSL_get_error(m_ssl, r);
    if (e == SSL_ERROR_WANT_READ)
        return Step::WantRead;
    if (e == SSL_ERROR_WANT_WRITE)
        return Step::WantWrite;
    m_failed = true;
    const int savedErrno = errno;
    m_error = takeSslError();
    if (m_error.isEmpty()) {
        m_error = e == SSL_ERROR_SYSCALL && savedErrno != 0
                      ? QString::fromLocal8Bit(strerror(savedErrno)).toLower()
                      : QStringLiteral("the peer closed the connection during the handshake");
    }
    return Step::Failed;
}

QString TlsSession::version() const
{
    return QString::fromLatin1(SSL_get_version(m_ssl));
}

QString TlsSession::cipher() const
{
    const SSL_CIPHER *c = SSL_get_current_cipher(m_ssl);
    return c ? QString::fromLatin1(SSL_CIPHER_get_name(c)) : QString();
}

// SSL_get_error's verdict as recv()/send() would give it.
ssize_t TlsSession::fail(int sslError)
{
    switch (sslError) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_ZERO_RETURN: // close_notify, or EOF (SSL_OP_IGNORE_UNEXPECTED_EOF)
        return 0;
    case SSL_ERROR_SYSCALL: {
        const int saved = errno;
        m_failed = true;
        ERR_clear_error();
        if (saved == 0)
            return 0; // EOF without close_notify
        errno = saved;
        return -1;
    }
    default:
        m_failed = true;
        m_error = takeSslError();
        errno = EPROTO;
        return -1;
    }
}

ssize_t TlsSession::read(char *buffer, size_t capacity)
{
    m_readWantsWrite = false;
    size_t got = 0;
    while (got < capacity) {
        size_t n = 0;
        const int r = SSL_read_ex(m_ssl, buffer + got, capacity - got, &n);
        if (r == 1) {
            got += n;
            continue;
        }
        const int e = SSL_get_error(m_ssl, r);
        if (e == SSL_ERROR_WANT_WRITE)
            m_readWantsWrite = true;
        if (got > 0) {
            // The bytes first; an end or error is sticky, the next read sees it.
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
                ERR_clear_error();
            return ssize_t(got);
        }
        return fail(e);
    }
    return ssize_t(got);
}

ssize_t TlsSession::write(const char *data, size_t size)
{
    size_t n = 0;
    const int r = SSL_write_ex(m_ssl, data, size, &n);
    if (r == 1)
        return ssize_t(n);
    const ssize_t result = fail(SSL_get_error(m_ssl, r));
    if (result == 0) { // a write cannot end in EOF: the peer is gone
        errno = EPIPE;
        return -1;
    }
    return result;
}

void TlsSession::shutdown()
{
    if (!m_established || m_failed)
        return;
    SSL_shutdown(m_ssl); // non-blocking: one try, the FIN follows either way
    ERR_clear_error();
    m_failed = true; // sent (or tried): never twice
}

} // namespace Vigil
