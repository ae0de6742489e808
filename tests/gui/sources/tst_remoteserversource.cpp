// RemoteServerSource against a real `vigild --admin` on 127.0.0.1 and real
// QTcpSocket clients: rows and stats arrive as batches, kicks close with
// BYE kicked, a stopped vigild is lost and found again, tokens are checked.
#include "remoteserversource.h"
#include "vigildhelper.h"

#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Vigil;
using namespace VigilTest;

class tst_RemoteServerSource : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void addressValidation_data();
    void addressValidation();
    void rowsAndStatsArrive();
    void eventsArrive();
    void writeCountdownArrives();
    void kickClosesWithByeKicked();
    void lostAndReconnected();
    void tokenRequired();
    void badResponseIsShown();
    void listenerInsteadOfAdmin();
    void dataPortIsNotRetried();
    void retryNowAndToken();
    void restartIsNoticed();

private:
    void startVigild(quint16 adminPort = 0, const QString &tokenFile = QString());
    std::unique_ptr<QTcpSocket> connectClient();
    std::unique_ptr<RemoteServerSource> attach(const QString &token = QString());

    std::unique_ptr<Vigild> m_vigild;
    // Every full batch's ids, the latest last.
    QList<QList<quint64>> m_fullBatches;
};

void tst_RemoteServerSource::init()
{
    const QByteArray test = QTest::currentTestFunction();
    if (!VigildHasAdmin && test != "addressValidation" && test != "badResponseIsShown" && test != "dataPortIsNotRetried")
        QSKIP("vigild is built without its admin endpoint (Qt HttpServer)");
    m_vigild = std::make_unique<Vigild>();
    m_fullBatches.clear();
}

void tst_RemoteServerSource::cleanup()
{
    m_vigild.reset();
}

void tst_RemoteServerSource::startVigild(quint16 adminPort, const QString &tokenFile)
{
    m_vigild->start(adminPort, tokenFile);
    QTRY_VERIFY_WITH_TIMEOUT(m_vigild->ready(), 10000);
}

std::unique_ptr<QTcpSocket> tst_RemoteServerSource::connectClient()
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, m_vigild->listenPort);
    return socket;
}

std::unique_ptr<RemoteServerSource> tst_RemoteServerSource::attach(const QString &token)
{
    auto source = std::make_unique<RemoteServerSource>(m_vigild->adminAddress(), token);
    source->setPollInterval(100);
    source->setRetryDelays(200, 1000);
    source->setEventWaitMs(1000);
    connect(source.get(), &RemoteServerSource::batchPublished, this, [this](const ServerBatch &batch) {
        if (!batch.full)
            return;
        QList<quint64> ids;
        for (const ConnectionSnapshot &s : batch.updated)
            ids << s.id;
        m_fullBatches << ids;
    });
    source->start();
    return source;
}

void tst_RemoteServerSource::addressValidation_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("valid");
    QTest::newRow("v4") << QStringLiteral("127.0.0.1:9600") << true;
    QTest::newRow("name") << QStringLiteral("gateway-eu.example:9600") << true;
    QTest::newRow("v6") << QStringLiteral("[::1]:9600") << true;
    QTest::newRow("no port") << QStringLiteral("127.0.0.1") << false;
    QTest::newRow("port 0") << QStringLiteral("127.0.0.1:0") << false;
    QTest::newRow("port too big") << QStringLiteral("127.0.0.1:65536") << false;
    QTest::newRow("url") << QStringLiteral("http://127.0.0.1:9600") << false;
    QTest::newRow("v6 without brackets") << QStringLiteral("::1:9600") << false;
    QTest::newRow("v4 in brackets") << QStringLiteral("[127.0.0.1]:9600") << false;
    QTest::newRow("bad v4") << QStringLiteral("127.0.0.256:9600") << false;
    QTest::newRow("bad name") << QStringLiteral("gateway..example:9600") << false;
    QTest::newRow("spaces around") << QStringLiteral(" 127.0.0.1:9600 ") << true;
    QTest::newRow("empty") << QString() << false;
}

void tst_RemoteServerSource::addressValidation()
{
    QFETCH(QString, address);
    QFETCH(bool, valid);
    QCOMPARE(RemoteServerSource::isValidAddress(address), valid);
}

void tst_RemoteServerSource::rowsAndStatsArrive()
{
    startVigild();
    auto a = connectClient();
    auto b = connectClient();
    a->write(frame(0x04, R"({"client": "sensor-17", "policy": "long", "keepalive_ms": 10000})"));
    a->write(frame(0x01, "hello"));
    auto source = attach();
    QSignalSpy stats(source.get(), &RemoteServerSource::statsUpdated);
    QVERIFY(stats.isValid());
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), RemoteServerSource::State::Connected, 5000);
    QCOMPARE(source->statusText(), QStringLiteral("attached to %1").arg(m_vigild->adminAddress()));
    QTRY_VERIFY_WITH_TIMEOUT(!m_fullBatches.isEmpty() && m_fullBatches.constLast().size() == 2, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(source->lastStats().accepted == 2 && source->lastStats().messagesIn >= 1, 5000);
    QCOMPARE(source->lastStats().open, 2u);
    QVERIFY(stats.count() >= 1);

    // A client that leaves drops out of the next full batch.
    b->disconnectFromHost();
    QTRY_VERIFY_WITH_TIMEOUT(!m_fullBatches.isEmpty() && m_fullBatches.constLast().size() == 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(source->lastStats().closesFor(CloseReason::ClientClosed), 1u, 5000);
}

void tst_RemoteServerSource::eventsArrive()
{
    startVigild();
    auto source = attach();
    QList<ServerEvent> events;
    QList<ClosedConnection> closed;
    connect(source.get(), &RemoteServerSource::batchPublished, this, [&](const ServerBatch &batch) {
        events += batch.events;
        closed += batch.closed;
    });
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), RemoteServerSource::State::Connected, 5000);
    auto client = connectClient();
    client->write(frame(0x01, "abc"));
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(events.cbegin(), events.cend(),
                                         [](const ServerEvent &e) { return e.kind == EventKind::MessageIn; }),
                             5000);
    QCOMPARE(events.constFirst().kind, EventKind::Connected);
    QVERIFY(events.constFirst().conn != 0);
    QVERIFY(events.constFirst().peer.startsWith(QLatin1String("127.0.0.1:")));
    const auto in = std::find_if(events.cbegin(), events.cend(),
                                 [](const ServerEvent &e) { return e.kind == EventKind::MessageIn; });
    QCOMPARE(in->size, 3u);

    client->disconnectFromHost();
    QTRY_VERIFY_WITH_TIMEOUT(!closed.isEmpty(), 5000);
    QCOMPARE(closed.constFirst().reason, CloseReason::ClientClosed);
}

void tst_RemoteServerSource::writeCountdownArrives()
{
    // docs/admin.md write_left_ms: a client that does not read has output
    // waiting, so its write watchdog runs, and the attached view gets the
    // countdown with the row.
    startVigild();
    auto source = attach();
    ConnectionSnapshot latest;
    connect(source.get(), &RemoteServerSource::batchPublished, this, [&](const ServerBatch &batch) {
        for (const ConnectionSnapshot &s : batch.updated)
            latest = s;
    });
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), RemoteServerSource::State::Connected, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_fullBatches.isEmpty(), 5000);

    // A consumer that never reads: a small window, echoes pile up in vigild.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    QVERIFY(fd >= 0);
    const auto closeFd = qScopeGuard([fd] { ::close(fd); });
    const int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(m_vigild->listenPort);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
    QTRY_VERIFY_WITH_TIMEOUT(latest.id != 0, 5000);
    QCOMPARE(latest.writeDeadlineMs, 0); // nothing queued yet: the watchdog is off
    QCOMPARE(latest.timers.writeTimeoutMs, 10000);

    // Each poll of the condition sends one more 64 KiB message until vigild
    // holds output for the client (its 4 MiB cap is far away at this pace).
    const QByteArray message = frame(0x01, QByteArray(64 * 1024 - 8, 'w'));
    auto pump = [&] {
        if (latest.pendingOut == 0) {
            [[maybe_unused]] const ssize_t n =
                ::send(fd, message.constData(), size_t(message.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        return latest.writeDeadlineMs != 0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(pump(), 8000);
    QVERIFY(latest.pendingOut > 0);
    const qint64 left = latest.writeDeadlineMs - latest.snapshotAtMs;
    QVERIFY2(left > 0 && left <= 10000, qPrintable(QString::number(left)));
}

void tst_RemoteServerSource::kickClosesWithByeKicked()
{
    startVigild();
    auto client = connectClient();
    auto source = attach();
    QSignalSpy kicked(source.get(), &RemoteServerSource::kickFinished);
    QVERIFY(kicked.isValid());
    QTRY_VERIFY_WITH_TIMEOUT(!m_fullBatches.isEmpty() && m_fullBatches.constLast().size() == 1, 5000);
    const quint64 id = m_fullBatches.constLast().constFirst();

    QByteArray received;
    connect(client.get(), &QTcpSocket::readyRead, this, [&] { received += client->readAll(); });
    source->kick(id);
    QTRY_COMPARE_WITH_TIMEOUT(kicked.count(), 1, 5000);
    QCOMPARE(kicked.at(0).at(1).toBool(), true);
    QTRY_VERIFY_WITH_TIMEOUT(received.contains(byeKicked()), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_fullBatches.isEmpty() && m_fullBatches.constLast().isEmpty(), 5000);

    // An id that is not open: 404, reported, nothing else happens.
    source->kick(id);
    QTRY_COMPARE_WITH_TIMEOUT(kicked.count(), 2, 5000);
    QCOMPARE(kicked.at(1).at(1).toBool(), false);
    QVERIFY(kicked.at(1).at(2).toString().contains(QLatin1String("not open")));
    QCOMPARE(source->state(), RemoteServerSource::State::Connected);
}

void tst_RemoteServerSource::lostAndReconnected()
{
    const quint16 adminPort = freePort();
    QVERIFY(adminPort != 0);
    startVigild(adminPort);
    auto client = connectClient();
    auto source = attach();
    QTRY_VERIFY_WITH_TIMEOUT(!m_fullBatches.isEmpty() && m_fullBatches.constLast().size() == 1, 5000);

    m_vigild->stop();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), RemoteServerSource::State::Lost, 10000);
    QVERIFY(source->retryInSeconds() >= 1);
    QVERIFY2(source->statusText().startsWith(QStringLiteral("connection lost — retrying in ")),
             qPrintable(source->statusText()));
    QTRY_VERIFY_WITH_TIMEOUT(!m_vigild->running(), 5000);
    // Still lost after a few retries: it keeps trying, with growing delays.
    QTRY_VERIFY_WITH_TIMEOUT(source->state() == RemoteServerSource::State::Lost && source->retryInSeconds() >= 1,
                             5000);

    m_vigild = std::make_unique<Vigild>();
    m_fullBatches.clear();
    startVigild(adminPort);
    auto again = connectClient();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), RemoteServerSource::State::Connected, 10000);
    QVERIFY(source->errorString().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!m_fullBatches.isEmpty() && m_fullBatches.constLast().size() == 1, 5000);
}

void tst_RemoteServerSource::tokenRequired()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString tokenFile = dir.filePath(QStringLiteral("token"));
    QFile file(tokenFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("s3cret-token\n");
    file.close();
    startVigild(0, tokenFile);

    auto none = attach();
    QTRY_COMPARE_WITH_TIMEOUT(none->state(), RemoteServerSource::State::Unauthorized, 5000);
    QVERIFY2(none->statusText().startsWith(QLatin1String("token rejected")), qPrintable(none->statusText()));
    auto wrong = attach(QStringLiteral("guess"));
    QTRY_COMPARE_WITH_TIMEOUT(wrong->state(), RemoteServerSource::State::Unauthorized, 5000);

    auto client = connectClient();
    auto right = attach(QStringLiteral("s3cret-token"));
    QTRY_COMPARE_WITH_TIMEOUT(right->state(), RemoteServerSource::State::Connected, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(right->lastStats().accepted, 1u, 5000);
    QCOMPARE(none->state(), RemoteServerSource::State::Unauthorized);
}

void tst_RemoteServerSource::badResponseIsShown()
{
    // Something that speaks HTTP but is not vigild's admin API.
    QTcpServer impostor;
    QVERIFY(impostor.listen(QHostAddress::LocalHost, 0));
    connect(&impostor, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *s = impostor.nextPendingConnection()) {
            connect(s, &QTcpSocket::readyRead, s, [s] {
                s->readAll();
                s->write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>");
            });
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    RemoteServerSource source(QStringLiteral("127.0.0.1:%1").arg(impostor.serverPort()));
    source.setRetryDelays(200, 1000);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(source.state(), RemoteServerSource::State::BadResponse, 5000);
    QVERIFY2(source.statusText().startsWith(QStringLiteral("bad response — retrying in")),
             qPrintable(source.statusText()));

    // Nothing listening at all: lost, not bad.
    RemoteServerSource nobody(QStringLiteral("127.0.0.1:%1").arg(freePort()));
    nobody.start();
    QTRY_COMPARE_WITH_TIMEOUT(nobody.state(), RemoteServerSource::State::Lost, 5000);
}

void tst_RemoteServerSource::listenerInsteadOfAdmin()
{
    // A common slip: the listener's address instead of --admin's. vigild
    // answers the HTTP request with BYE protocol-error, not HTTP.
    startVigild();
    RemoteServerSource source(QStringLiteral("127.0.0.1:%1").arg(m_vigild->listenPort));
    source.setRetryDelays(200, 1000);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(source.state(), RemoteServerSource::State::BadResponse, 5000);
    QVERIFY2(source.errorString().contains(QLatin1String("not an HTTP server")), qPrintable(source.errorString()));
    // It stays there: no retry (each would be a protocol-error close).
    QSignalSpy status(&source, &ServerSource::statusChanged);
    QVERIFY(!status.wait(1500));
    QCOMPARE(source.state(), RemoteServerSource::State::BadResponse);
    QVERIFY(source.hasGivenUp());
}

void tst_RemoteServerSource::dataPortIsNotRetried()
{
    // A Vigil data port: whatever arrives is a protocol error, answered
    // with BYE protocol-error (3) and a close, as vigild does.
    QTcpServer dataPort;
    QVERIFY(dataPort.listen(QHostAddress::LocalHost, 0));
    int accepted = 0;
    connect(&dataPort, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *s = dataPort.nextPendingConnection()) {
            ++accepted;
            connect(s, &QTcpSocket::readyRead, s, [s] {
                s->readAll();
                s->write(VigilTest::frame(0x06, QByteArray(1, char(3))));
                s->disconnectFromHost();
            });
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    RemoteServerSource source(QStringLiteral("127.0.0.1:%1").arg(dataPort.serverPort()));
    source.setRetryDelays(100, 200);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(source.state(), RemoteServerSource::State::BadResponse, 5000);
    QVERIFY2(source.errorString().contains(QLatin1String("not an HTTP server")), qPrintable(source.errorString()));
    const int before = accepted;
    QVERIFY(before >= 1);

    // With retries every 100-200 ms, 1.5 s would bring 7 or more attempts.
    QSignalSpy more(&dataPort, &QTcpServer::newConnection);
    QVERIFY2(!more.wait(1500), "the source kept retrying a data port");
    QCOMPARE(accepted, before);
    QCOMPARE(source.state(), RemoteServerSource::State::BadResponse);
    QVERIFY2(source.statusText().contains(QLatin1String("not retrying")), qPrintable(source.statusText()));
    QCOMPARE(source.retryInSeconds(), 0);

    // "Retry now" tries once more, and gives up again.
    QVERIFY(source.hasGivenUp());
    source.retryNow();
    QVERIFY(more.wait(5000));
    QTRY_VERIFY_WITH_TIMEOUT(source.hasGivenUp(), 5000);
    QCOMPARE(source.state(), RemoteServerSource::State::BadResponse);
}

void tst_RemoteServerSource::retryNowAndToken()
{
    // A rejected token corrected in place: the next attempt uses it at once.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString tokenFile = dir.filePath(QStringLiteral("token"));
    QFile file(tokenFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("s3cret\n");
    file.close();
    startVigild(0, tokenFile);
    RemoteServerSource source(m_vigild->adminAddress(), QStringLiteral("wrong"));
    source.setRetryDelays(30000, 30000); // only retryNow() can bring it back in time
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(source.state(), RemoteServerSource::State::Unauthorized, 5000);
    QVERIFY(source.can(ServerSource::Capability::Token));
    QVERIFY(source.can(ServerSource::Capability::Retry));
    source.setToken(QStringLiteral("s3cret"));
    QCOMPARE(source.token(), QStringLiteral("s3cret"));
    QTRY_COMPARE_WITH_TIMEOUT(source.state(), RemoteServerSource::State::Connected, 5000);
}

void tst_RemoteServerSource::restartIsNoticed()
{
    // vigild restarted on the same admin port: a new instance answers,
    // and its connection ids start again.
    const quint16 adminPort = freePort();
    QVERIFY(adminPort != 0);
    startVigild(adminPort);
    auto source = attach();
    QSignalSpy restarted(source.get(), &ServerSource::serverRestarted);
    QTRY_VERIFY_WITH_TIMEOUT(source->lastStats().sampledAtMs != 0, 5000);
    m_vigild->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!m_vigild->running(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(source->state() != RemoteServerSource::State::Connected, 10000);
    QCOMPARE(restarted.count(), 0);
    m_vigild = std::make_unique<Vigild>();
    startVigild(adminPort);
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), RemoteServerSource::State::Connected, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(restarted.count(), 1, 5000);
    const QString detail = restarted.constFirst().constFirst().toString();
    QVERIFY2(detail.contains(QLatin1String("connection ids start again")), qPrintable(detail));
}

QTEST_MAIN(tst_RemoteServerSource)
#include "tst_remoteserversource.moc"
