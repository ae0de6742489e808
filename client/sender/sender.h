// The blog's sender, grown up (PROTOCOL.md §6): sends numbered messages
// at an interval, prints the echoes, optionally greets with HELLO and keeps
// the connection alive with PINGs, and reports how the session ended.
#pragma once

#include "clientcommandline.h"
#include "framedecoder.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSslSocket>
#include <QTimer>
#include <cstdio>

namespace Vigil {

class Sender final : public QObject, private MessageSink
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Sender)

public:
    // out receives the session's lines, err the one-line errors; both are
    // flushed after every line so scripts can follow along.
    explicit Sender(const SenderOptions &options, FILE *out = stdout, FILE *err = stderr, QObject *parent = nullptr);
    ~Sender() override;

    // State
    void start();
    bool isFinished() const { return m_finished; }
    ClientExit exitCode() const { return m_exitCode; }
    int echoesReceived() const { return m_echoes; }
    int pingsSent() const { return m_pingsSent; }
    int pongsReceived() const { return m_pongs; }
    int reconnects() const { return m_reconnects; }

signals:
    void finished(int exitCode);

private:
    // Protocol
    bool onMessage(const DecodedMessage &message) override;
    void sendFrame(FrameType type, const QByteArray &payload);
    void sendNext();
    void handleGoAway(const GoAwayFrame &goAway);

    void handleConnected();
    void handleReadyRead();
    void handleSocketError(QAbstractSocket::SocketError error);
    void handleDisconnected();
    void handleHeartbeat();
    void handleLingerDone();
    void handleEchoWaitOver();
    void handleConnectTimeout();
    void reconnect();
    void dial();
    bool configureTls();
    void connectAgain();
    bool retryConnect(const QString &why);

    void finishIfDone();
    void closedByServer(const QString &why);
    void finish(ClientExit code, const QString &lastLine = QString());
    void emitFinished();
    void printLine(const QString &line);
    void printError(const QString &line);

    SenderOptions m_options;
    FILE *m_out;
    FILE *m_err;
    QSslSocket m_socket; // plain TCP unless --tls
    FrameDecoder m_decoder;
    QTimer m_sendTimer;
    QTimer m_heartbeatTimer;
    QTimer m_lingerTimer; // --wait
    QTimer m_echoTimer;   // bounds the wait for the last echoes
    QTimer m_connectTimer;
    QElapsedTimer m_sinceLastSend;
    int m_sent = 0;
    int m_echoes = 0;
    int m_pingsSent = 0;
    int m_pongs = 0;
    qint64 m_echoBytesExpected = 0;
    qint64 m_echoBytesReceived = 0;
    bool m_connected = false;
    bool m_lingering = false;  // every message is sent
    bool m_echoesOver = false; // every echo is back, or we stopped waiting for them
    bool m_waitOver = false;   // --wait has passed
    bool m_finished = false;
    bool m_goingAway = false;    // a GOAWAY came: finishing
    bool m_serverClosed = false; // the server ended the session (BYE, FIN, reset)
    bool m_finishedEmitted = false;
    bool m_reconnecting = false; // --reconnect: between a GOAWAY'd session and the next
    int m_reconnects = 0;
    int m_connectAttempts = 0;   // of the reconnect under way
    ClientExit m_exitCode = ClientExit::Ok;
};

} // namespace Vigil
