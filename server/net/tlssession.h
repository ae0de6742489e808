// One connection's TLS state on a ,tls listener (PROTOCOL.md §9): an
// OpenSSL SSL object bound to the connection's non-blocking socket. Its
// read() and write() keep recv()/send()'s contract (bytes, 0 at the
// peer's end, -1 with errno EAGAIN when the socket must be ready again),
// so Connection's loops stay the ones the plaintext path runs; a TLS
// failure is -1 with errno EPROTO. Only allocated for TLS connections.
#pragma once

#include <QString>

#include <sys/types.h>

struct ssl_st;
struct ssl_ctx_st;

namespace Vigil {

class TlsSession final
{
public:
    enum class Step : quint8 {
        WantRead,  // wait for the socket to be readable
        WantWrite, // wait for it to be writable
        Done,      // the handshake is complete
        Failed,    // tls-error (error() says why)
    };

    // nullptr-safe: a context that cannot make a session leaves
    // isValid() false (out of memory).
    TlsSession(ssl_ctx_st *context, int fd);
    ~TlsSession();
    TlsSession(const TlsSession &) = delete;
    TlsSession &operator=(const TlsSession &) = delete;

    bool isValid() const { return m_ssl != nullptr; }
    bool isEstablished() const { return m_established; }

    // The server side of the handshake, one non-blocking step.
    Step handshake();
    QString error() const { return m_error; }
    // After Done: "TLSv1.3", "TLS_AES_256_GCM_SHA384".
    QString version() const;
    QString cipher() const;

    // As recv()/send(). read() fills buffer with as many records as the
    // socket has (a short count means the socket is drained). A write
    // that was refused must be retried with the same bytes first.
    ssize_t read(char *buffer, size_t capacity);
    ssize_t write(const char *data, size_t size);
    // The last read or write needs the socket writable (read) before it can go on.
    bool readWantsWrite() const { return m_readWantsWrite; }
    // close_notify, best effort, before the socket's FIN.
    void shutdown();

private:
    ssize_t fail(int sslError);

    ssl_st *m_ssl = nullptr;
    QString m_error;
    bool m_established = false;
    bool m_failed = false; // no close_notify after a fatal error, nor twice
    bool m_readWantsWrite = false;
};

} // namespace Vigil
