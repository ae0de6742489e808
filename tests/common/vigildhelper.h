// A real vigild with its admin endpoint for the remote-attach tests:
// started through QProcess, its listener and admin ports read from stdout.
#pragma once

#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QtEndian>
#include <memory>

#ifndef VIGILD_HAS_ADMIN
#define VIGILD_HAS_ADMIN 0
#endif

namespace VigilTest {

// vigild refuses --admin when built without Qt HttpServer.
constexpr bool VigildHasAdmin = VIGILD_HAS_ADMIN != 0;

// One Vigil frame (PROTOCOL.md §2); the window tests' clients use it too.
inline QByteArray frame(quint8 type, const QByteArray &payload)
{
    QByteArray f("VG");
    f.append(char(0x01));
    f.append(char(type));
    char length[4];
    qToBigEndian(quint32(payload.size()), length);
    f.append(length, 4);
    return f + payload;
}

// BYE kicked: 'V' 'G' 0x01 0x06, length 1, reason 7 (PROTOCOL.md §2).
inline QByteArray byeKicked()
{
    return frame(0x06, QByteArray(1, char(7)));
}

// A port nothing listens on right now, for restarting vigild on it.
inline quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

class Vigild
{
public:
    static inline const QString InstanceName = QStringLiteral("edge-1");
    // adminPort 0: any free port. tokenFile: empty for none.
    // instance: its --instance-name (a fleet's members differ).
    void start(quint16 adminPort = 0, const QString &tokenFile = QString(), const QString &instance = InstanceName)
    {
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::SeparateChannels);
        m_output.clear();
        listenPort = 0;
        adminPort_ = 0;
        QObject::connect(m_process.get(), &QProcess::readyReadStandardOutput, m_process.get(), [this] {
            m_output += m_process->readAllStandardOutput();
            static const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
            static const QRegularExpression admin(QStringLiteral("admin on 127\\.0\\.0\\.1:(\\d+)"));
            const QString text = QString::fromUtf8(m_output);
            if (const auto m = listening.match(text); m.hasMatch())
                listenPort = quint16(m.captured(1).toUInt());
            if (const auto m = admin.match(text); m.hasMatch())
                adminPort_ = quint16(m.captured(1).toUInt());
        });
        QStringList args{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--admin"),
                         QStringLiteral("127.0.0.1:%1").arg(adminPort), QStringLiteral("--idle-timeout"),
                         QStringLiteral("2m"), QStringLiteral("--instance-name"), instance};
        if (!tokenFile.isEmpty())
            args << QStringLiteral("--admin-token-file") << tokenFile;
        m_process->start(QStringLiteral(VIGILD_PATH), args);
    }
    bool ready() const { return listenPort != 0 && adminPort_ != 0; }
    bool running() const { return m_process && m_process->state() != QProcess::NotRunning; }
    void stop()
    {
        if (running())
            m_process->terminate(); // SIGTERM: BYE server-shutdown, exit 0
    }
    QString adminAddress() const { return QStringLiteral("127.0.0.1:%1").arg(adminPort_); }
    QString errors() const { return m_process ? QString::fromUtf8(m_process->readAllStandardError()) : QString(); }
    ~Vigild()
    {
        if (running()) {
            m_process->kill();
            m_process->waitForFinished(2000);
        }
    }

    quint16 listenPort = 0;
    quint16 adminPort_ = 0;

private:
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
};

} // namespace VigilTest
