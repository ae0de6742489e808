// The blog series' server: its "www.01happy.com" framing, long connections
// kept by a heartbeat (the timer restarted on every message), short ones
// ended by a deadline (SetDeadline), and a reply to every message. The
// series built those timers by hand; here they are the Server's config.
//   vigil-blog [PORT]    (127.0.0.1, default 7700)
// Ctrl+C ends the process; Vigil::Daemon (examples/broadcast) adds the
// graceful stop (BYE server-shutdown), reload and logs.
#include <vigil/server.h>

#include <QCoreApplication>
#include <cstdio>

class Reply final : public Vigil::MessageHandler
{
public:
    void received(Vigil::Session &session, QByteArrayView payload) override { session.send(payload); }
};

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Vigil::ServerConfig config;
    config.listen = {*Vigil::ListenAddress::parse(QStringLiteral("127.0.0.1:%1").arg(argc > 1 ? argv[1] : "7700"))};
    config.framing = Vigil::Framing::Legacy;
    config.idleTimeoutMs = 30000;  // long connections: one heartbeat per 30 s keeps them
    config.maxLifetimeMs = 0;      // short ones (HELLO policy "short") get the 10 s default
    Vigil::Server server;
    server.setHandler(std::make_shared<Reply>());
    if (!server.start(config)) {
        std::fprintf(stderr, "vigil-blog: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    std::printf("listening on %s\n", qPrintable(server.boundAddresses().first().toString()));
    std::fflush(stdout);
    return app.exec();
}
