// Helpers for the client's process tests: start the real vigild on an
// ephemeral loopback port and run the real vigil-client to completion.
#pragma once

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

namespace VigilTest {

// vigild --listen 127.0.0.1:0 ...; knows the port it printed.
class VigildProcess final
{
public:
    VigildProcess() = default;
    ~VigildProcess() { stop(); }
    VigildProcess(const VigildProcess &) = delete;
    VigildProcess &operator=(const VigildProcess &) = delete;

    // Starts vigild and waits for its "listening on HOST:PORT" line (or the
    // JSON "listening" event with --log-format json). listen: the one
    // --listen (its host must stay 127.0.0.1), e.g. "127.0.0.1:0,tls".
    bool start(const QStringList &extraArguments, int timeoutMs = 10000,
               const QString &listen = QStringLiteral("127.0.0.1:0"))
    {
        m_process.setProgram(QStringLiteral(VIGILD_PATH));
        m_process.setArguments(QStringList{QStringLiteral("--listen"), listen} + extraArguments);
        m_process.start();
        if (!m_process.waitForStarted(timeoutMs))
            return false;
        static const QRegularExpression listening(QStringLiteral("(?:listening on |\"address\":\\s*\")127\\.0\\.0\\.1:(\\d+)"));
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            while (m_process.canReadLine()) {
                const QString line = QString::fromUtf8(m_process.readLine());
                m_output += line;
                const auto match = listening.match(line);
                if (match.hasMatch()) {
                    m_port = match.captured(1).toUShort();
                    return true;
                }
            }
            if (m_process.state() != QProcess::Running)
                return false;
            m_process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
        }
        return false;
    }

    quint16 port() const { return m_port; }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    QString output()
    {
        m_output += QString::fromUtf8(m_process.readAll());
        return m_output;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

private:
    QProcess m_process;
    QString m_output;
    quint16 m_port = 0;
};

struct ProcessResult
{
    bool finished = false;
    int exitCode = -1;
    QString out;
    QString err;
    qint64 elapsedMs = 0;
};

// Runs a program to completion (killed after timeoutMs).
inline ProcessResult runProcess(const QString &program, const QStringList &arguments, int timeoutMs,
                                const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    ProcessResult r;
    QProcess process;
    process.setProcessEnvironment(environment);
    QElapsedTimer clock;
    clock.start();
    process.start(program, arguments);
    r.finished = process.waitForFinished(timeoutMs);
    if (!r.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    r.elapsedMs = clock.elapsed();
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    r.out = QString::fromUtf8(process.readAllStandardOutput());
    r.err = QString::fromUtf8(process.readAllStandardError());
    return r;
}

inline ProcessResult runClient(const QStringList &arguments, int timeoutMs = 30000)
{
    return runProcess(QStringLiteral(VIGIL_CLIENT_PATH), arguments, timeoutMs);
}

} // namespace VigilTest
