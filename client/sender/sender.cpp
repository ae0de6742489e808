// Sender: a QTcpSocket session driven by precise timers (next message,
// heartbeat, --wait, the wait for the last echoes), decoding replies with
// the shared FrameDecoder.
#include "sender.h"

#include "closereason.h"
#include "frameencoder.h"
#include "hello.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSslCertificate>
#include <QSslConfiguration>

#include <algorithm>

namespace Vigil {

namespace {
// Largest reply we accept; the server's own limit is usually 1 MiB.
constexpr quint32 MaxReplyPayload = 64u * 1024 * 1024;
// After the last message, how long to wait for an echo before giving up
// on the rest: counted again from each echo that arrives, so a slow but
// moving stream of echoes is waited for, and a sink server costs 2 s.
constexpr int EchoWaitMs = 2000;
// A connect that takes this long is as good as refused.
constexpr int ConnectTimeoutMs = 10000;
// After our BYE, how long the close may take before we stop waiting.
constexpr int CloseTimeoutMs = 1000;
// --reconnect: a server that drains has closed its listener, so the next
// connection may land elsewhere (a balancer) or need a moment (a restart):
// attempts 100 ms apart, doubling to 2 s, 8 in all (about 7 s).
constexpr int ReconnectAttempts = 8;
constexpr int FirstRetryMs = 100;
constexpr int MaxRetryMs = 2000;
} // namespace

Sender::Sender(const SenderOptions &options, FILE *out, FILE *err, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_out(out)
    , m_err(err)
    , m_decoder(options.framing, MaxReplyPayload)
{
    for (QTimer *timer : {&m_sendTimer, &m_heartbeatTimer, &m_lingerTimer, &m_echoTimer, &m_connectTimer}) {
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
    }
    // With --tls the session starts once the handshake is done.
    if (m_options.tls)
        connect(&m_socket, &QSslSocket::encrypted, this, &Sender::handleConnected);
    else
        connect(&m_socket, &QTcpSocket::connected, this, &Sender::handleConnected);
    connect(&m_socket, &QTcpSocket::readyRead, this, &Sender::handleReadyRead);
    connect(&m_socket, &QTcpSocket::errorOccurred, this, &Sender::handleSocketError);
    connect(&m_socket, &QTcpSocket::disconnected, this, &Sender::handleDisconnected);
    connect(&m_sendTimer, &QTimer::timeout, this, &Sender::sendNext);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &Sender::handleHeartbeat);
    connect(&m_lingerTimer, &QTimer::timeout, this, &Sender::handleLingerDone);
    connect(&m_echoTimer, &QTimer::timeout, this, &Sender::handleEchoWaitOver);
    connect(&m_connectTimer, &QTimer::timeout, this, &Sender::handleConnectTimeout);
}

Sender::~Sender() = default;

void Sender::start()
{
    if (m_options.tls && !configureTls()) {
        QMetaObject::invokeMethod(this, [this]() { finish(ClientExit::Usage); }, Qt::QueuedConnection);
        return;
    }
    m_connectTimer.start(ConnectTimeoutMs);
    dial();
}

void Sender::dial()
{
    if (m_options.tls)
        m_socket.connectToHostEncrypted(m_options.target.host, m_options.target.port);
    else
        m_socket.connectToHost(m_options.target.host, m_options.target.port);
}

// PROTOCOL.md §9 from the client's side: TLS 1.2 or later, the server's
// certificate checked against the system's CAs or only --ca's, and its
// name against the host of --connect; --insecure checks nothing (tests,
// self-signed servers on loopback).
bool Sender::configureTls()
{
    if (!QSslSocket::supportsSsl()) {
        printError(QStringLiteral("vigil-client: --tls: this Qt has no TLS backend"));
        return false;
    }
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setProtocol(QSsl::TlsV1_2OrLater);
    if (m_options.insecure) {
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
    } else if (!m_options.caFile.isEmpty()) {
        const QList<QSslCertificate> cas = QSslCertificate::fromPath(m_options.caFile, QSsl::Pem);
        if (cas.isEmpty()) {
            printError(QStringLiteral("vigil-client: --ca %1: no PEM certificate could be read").arg(m_options.caFile));
            return false;
        }
        config.setCaCertificates(cas);
    }
    m_socket.setSslConfiguration(config);
    return true;
}

// HELLO must be the first frame (PROTOCOL.md §2), so it goes out before
// message 0; the WELCOME is printed whenever it arrives.
void Sender::handleConnected()
{
    m_connectTimer.stop();
    m_connected = true;
    if (m_reconnecting) {
        m_reconnecting = false;
        ++m_reconnects;
        printLine(QStringLiteral("reconnected to %1").arg(m_options.target.toString()));
    }
    m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (m_options.helloPolicy) {
        Hello hello;
        hello.client = QStringLiteral("vigil-client");
        hello.policy = m_options.helloPolicy;
        hello.keepaliveMs = m_options.helloKeepaliveMs;
        sendFrame(FrameType::Hello, hello.toJson());
    }
    if (m_options.heartbeatMs > 0)
        m_heartbeatTimer.start(int(m_options.heartbeatMs));
    sendNext();
}

// Sends message m_sent, then either arms the next one or, after the last,
// lingers: until every echo is back (or EchoWaitMs pass without one) and
// --wait has passed. Only then is the session done (see finishIfDone()).
void Sender::sendNext()
{
    if (m_finished || m_goingAway)
        return;
    if (m_sent < m_options.count) {
        const QByteArray payload = QString::number(m_sent).toUtf8() + ' ' + m_options.message.toUtf8();
        sendFrame(FrameType::Data, payload);
        m_echoBytesExpected += payload.size();
        ++m_sent;
        if (m_sent < m_options.count) {
            m_sendTimer.start(int(m_options.intervalMs));
            return;
        }
    }
    m_lingering = true;
    m_waitOver = m_options.waitMs <= 0;
    if (!m_waitOver)
        m_lingerTimer.start(int(m_options.waitMs));
    m_echoesOver = m_echoBytesReceived >= m_echoBytesExpected;
    if (!m_echoesOver)
        m_echoTimer.start(EchoWaitMs);
    if (m_echoesOver && m_waitOver)
        QMetaObject::invokeMethod(this, &Sender::finishIfDone, Qt::QueuedConnection);
}

void Sender::sendFrame(FrameType type, const QByteArray &payload)
{
    QByteArray frame;
    if (!FrameEncoder::append(m_options.framing, type, payload.constData(), size_t(payload.size()), frame))
        return;
    m_socket.write(frame);
    // PROTOCOL.md §6: PINGs go out only while we are otherwise idle.
    if (m_options.heartbeatMs > 0 && !m_goingAway)
        m_heartbeatTimer.start(int(m_options.heartbeatMs));
}

void Sender::handleHeartbeat()
{
    if (m_finished || !m_connected || m_goingAway)
        return;
    ++m_pingsSent;
    sendFrame(FrameType::Ping, QByteArray::number(m_pingsSent));
}

void Sender::handleReadyRead()
{
    while (!m_finished && m_socket.bytesAvailable() > 0) {
        const QByteArray chunk = m_socket.read(64 * 1024);
        if (chunk.isEmpty())
            break;
        const CloseReason error = m_decoder.feed(chunk.constData(), size_t(chunk.size()), *this);
        if (error != CloseReason::None && !m_finished) {
            printError(QStringLiteral("vigil-client: bad data from the server (%1)").arg(closeReasonName(error)));
            finish(ClientExit::ClosedByServer);
        }
    }
}

bool Sender::onMessage(const DecodedMessage &message)
{
    const QByteArray payload = QByteArray::fromRawData(message.data, qsizetype(message.size));
    switch (message.type) {
    case FrameType::Data:
        ++m_echoes;
        m_echoBytesReceived += qint64(message.size);
        if (!m_options.quiet)
            printLine(QStringLiteral("echo: ") + QString::fromUtf8(payload));
        // The last echo ends the session at once: a close that the server
        // sends behind it comes after we were done.
        if (m_lingering && !m_echoesOver) {
            m_echoesOver = m_echoBytesReceived >= m_echoBytesExpected;
            if (!m_echoesOver) {
                m_echoTimer.start(EchoWaitMs); // progress: wait on
                return true;
            }
            m_echoTimer.stop();
            finishIfDone();
        }
        return !m_finished;
    case FrameType::Ping:
        // The server's probe (PROTOCOL.md §3): answering is activity.
        sendFrame(FrameType::Pong, QByteArray(payload.constData(), payload.size()));
        return true;
    case FrameType::Pong:
        ++m_pongs;
        return true;
    case FrameType::Welcome:
        if (!m_options.quiet)
            printLine(QStringLiteral("welcome: ") + QString::fromUtf8(payload));
        return true;
    case FrameType::Bye: {
        const quint8 code = message.size > 0 ? quint8(message.data[0]) : 0;
        const auto reason = closeReasonFromByeCode(code);
        const QString name = reason ? closeReasonName(*reason) : QStringLiteral("code %1").arg(code);
        closedByServer(QStringLiteral("closed by server: ") + name);
        return false;
    }
    case FrameType::GoAway: {
        const std::optional<GoAwayFrame> goAway = GoAwayFrame::parse(message.data, message.size);
        if (!goAway) {
            printError(QStringLiteral("vigil-client: bad data from the server (GOAWAY of %1 bytes)").arg(message.size));
            finish(ClientExit::ClosedByServer);
            return false;
        }
        handleGoAway(*goAway);
        return !m_finished;
    }
    case FrameType::Hello:
        break;
    }
    printError(QStringLiteral("vigil-client: unexpected %1 frame from the server").arg(frameTypeName(message.type)));
    return true;
}

// PROTOCOL.md §10: the server will close in ms and keeps serving until
// then. We send nothing new (no message, no PING), take the echoes still
// on their way, and end the session ourselves with BYE normal, before the
// server's BYE: "send over" if every message was sent, else exit 3.
void Sender::handleGoAway(const GoAwayFrame &goAway)
{
    if (m_goingAway)
        return;
    m_goingAway = true;
    printLine(QStringLiteral("server going away in %1 ms: %2").arg(goAway.ms).arg(goAway.reasonName()));
    m_sendTimer.stop();
    m_heartbeatTimer.stop();
    m_lingerTimer.stop();
    m_lingering = true;
    m_waitOver = true;
    m_echoesOver = m_echoBytesReceived >= m_echoBytesExpected;
    if (!m_echoesOver && !m_echoTimer.isActive())
        m_echoTimer.start(EchoWaitMs);
    if (m_echoesOver)
        QMetaObject::invokeMethod(this, &Sender::finishIfDone, Qt::QueuedConnection);
}

void Sender::handleSocketError(QAbstractSocket::SocketError error)
{
    if (m_finished)
        return;
    if (m_reconnecting) {
        if (!retryConnect(m_socket.errorString()))
            finish(ClientExit::ConnectFailed);
        return;
    }
    if (!m_connected) {
        printError(QStringLiteral("vigil-client: cannot connect to %1: %2").arg(m_options.target.toString(), m_socket.errorString()));
        finish(ClientExit::ConnectFailed);
        return;
    }
    handleReadyRead(); // the last echoes (or a BYE) may still be buffered
    if (m_finished)
        return;
    if (error == QAbstractSocket::RemoteHostClosedError)
        closedByServer(QStringLiteral("closed by server"));
    else if (error == QAbstractSocket::ConnectionRefusedError || m_socket.errorString().contains(QLatin1String("reset"), Qt::CaseInsensitive))
        closedByServer(QStringLiteral("reset"));
    else
        closedByServer(QStringLiteral("reset (%1)").arg(m_socket.errorString()));
}

void Sender::handleDisconnected()
{
    if (m_reconnecting)
        return; // our own close of the GOAWAY'd session
    if (m_finished) {
        emitFinished();
        return;
    }
    handleReadyRead();
    if (!m_finished)
        closedByServer(QStringLiteral("closed by server"));
}

void Sender::handleConnectTimeout()
{
    if (m_connected || m_finished)
        return;
    m_socket.abort();
    if (m_reconnecting && retryConnect(QStringLiteral("timed out")))
        return;
    printError(QStringLiteral("vigil-client: cannot connect to %1: timed out").arg(m_options.target.toString()));
    finish(ClientExit::ConnectFailed);
}

// --reconnect after a GOAWAY: this session ends politely (BYE normal, as
// without the flag), the next one starts at the message we stopped at, with
// the same HELLO. Echoes that never came are not waited for again.
void Sender::reconnect()
{
    m_reconnecting = true;
    m_connected = false;
    m_connectAttempts = 0;
    for (QTimer *timer : {&m_sendTimer, &m_heartbeatTimer, &m_lingerTimer, &m_echoTimer})
        timer->stop();
    if (m_socket.state() == QAbstractSocket::ConnectedState && !m_serverClosed) {
        if (hasTypedFrames(m_options.framing))
            m_socket.write(FrameEncoder::bye(CloseReason::Normal));
        m_socket.flush();
    }
    m_socket.abort();
    printLine(QStringLiteral("reconnecting to %1").arg(m_options.target.toString()));
    QMetaObject::invokeMethod(this, &Sender::connectAgain, Qt::QueuedConnection);
}

void Sender::connectAgain()
{
    if (m_finished)
        return;
    m_decoder = FrameDecoder(m_options.framing, MaxReplyPayload);
    m_connected = false;
    m_goingAway = false;
    m_serverClosed = false;
    m_lingering = false;
    m_echoesOver = false;
    m_waitOver = false;
    m_echoBytesExpected = m_echoBytesReceived;
    ++m_connectAttempts;
    m_connectTimer.start(ConnectTimeoutMs);
    dial();
}

// false: out of attempts (said why on err).
bool Sender::retryConnect(const QString &why)
{
    m_socket.abort();
    if (m_connectAttempts >= ReconnectAttempts) {
        printError(QStringLiteral("vigil-client: cannot reconnect to %1 after %2 attempts: %3")
                       .arg(m_options.target.toString())
                       .arg(m_connectAttempts)
                       .arg(why));
        return false;
    }
    const int delayMs = std::min(MaxRetryMs, FirstRetryMs << (m_connectAttempts - 1));
    QTimer::singleShot(delayMs, this, &Sender::connectAgain);
    return true;
}

void Sender::handleLingerDone()
{
    m_waitOver = true;
    finishIfDone();
}

// The echoes we still wait for stopped coming (a sink server, a lost
// reply): stop waiting rather than hang.
void Sender::handleEchoWaitOver()
{
    m_echoesOver = true;
    finishIfDone();
}

// Every echo is back (or no longer expected) and --wait has passed, with
// the server still connected: a normal end.
void Sender::finishIfDone()
{
    if (m_finished || !m_lingering || !m_echoesOver || !m_waitOver)
        return;
    if (m_sent < m_options.count && m_options.reconnect) // only after a GOAWAY
        reconnect();
    else if (m_sent < m_options.count)
        finish(ClientExit::ClosedByServer);
    else
        finish(ClientExit::Ok, QStringLiteral("send over"));
}

void Sender::closedByServer(const QString &why)
{
    // The announced close came before our own (our last echo was late):
    // with --reconnect that is still the end of this session only.
    if (m_goingAway && m_options.reconnect && m_sent < m_options.count) {
        printLine(why);
        reconnect();
        return;
    }
    m_serverClosed = true;
    finish(ClientExit::ClosedByServer, why);
}

// Ends the session once. lastLine is the session's last line on out:
// "send over" (the blog sender's word) on a normal end, or why the server
// ended it. On a normal end we say BYE normal where the framing has it
// (PROTOCOL.md §7) and close gracefully, so the last bytes are flushed
// before finished() lets the program exit.
void Sender::finish(ClientExit code, const QString &lastLine)
{
    if (m_finished)
        return;
    m_finished = true;
    m_exitCode = code;
    for (QTimer *timer : {&m_sendTimer, &m_heartbeatTimer, &m_lingerTimer, &m_echoTimer, &m_connectTimer})
        timer->stop();
    if (m_options.heartbeatMs > 0)
        printLine(QStringLiteral("heartbeat: %1 PING sent, %2 PONG received").arg(m_pingsSent).arg(m_pongs));
    if (!lastLine.isEmpty())
        printLine(lastLine);
    // After a GOAWAY we leave on purpose too, before the server's BYE.
    const bool polite = code == ClientExit::Ok || (m_goingAway && !m_serverClosed);
    if (polite && m_socket.state() == QAbstractSocket::ConnectedState) {
        if (hasTypedFrames(m_options.framing))
            m_socket.write(FrameEncoder::bye(CloseReason::Normal));
        m_socket.disconnectFromHost();
        if (m_socket.state() != QAbstractSocket::UnconnectedState) {
            // handleDisconnected() emits finished; this is the fallback.
            QTimer::singleShot(CloseTimeoutMs, this, [this] {
                m_socket.abort();
            });
            return;
        }
    } else {
        m_socket.abort();
    }
    QMetaObject::invokeMethod(this, &Sender::emitFinished, Qt::QueuedConnection);
}

// finished() goes out once, whichever of the close paths gets there first.
void Sender::emitFinished()
{
    if (m_finishedEmitted)
        return;
    m_finishedEmitted = true;
    emit finished(int(m_exitCode));
}

void Sender::printLine(const QString &line)
{
    const QByteArray bytes = line.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), m_out);
    std::fflush(m_out);
}

void Sender::printError(const QString &line)
{
    const QByteArray bytes = line.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), m_err);
    std::fflush(m_err);
}

} // namespace Vigil
