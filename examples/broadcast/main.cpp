// vigil-broadcast: every DATA message from one client goes to every other
// connected client, not back to the sender. Everything else is vigild's:
// its flags, framings, watchdogs, logs (`listening on ...`), SIGHUP reload,
// drain and --admin, from Vigil::Daemon.
#include <vigil/daemon.h>
#include <vigil/server.h>

#include <QCoreApplication>

class Broadcast final : public Vigil::MessageHandler
{
public:
    void attached(Vigil::Server &server) override { m_server = &server; }
    // On the sender's network thread: broadcast() queues one copy of the
    // bytes (shared, not copied) to every thread, which sends it to its own.
    void received(Vigil::Session &session, QByteArrayView payload) override
    {
        m_server->broadcast(payload.toByteArray(), session.id());
    }

private:
    Vigil::Server *m_server = nullptr;
};

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const auto admin = Vigil::createAdminExtension();
    return Vigil::Daemon::run(QStringLiteral("vigil-broadcast"), app.arguments(), admin.get(),
                              std::make_shared<Broadcast>());
}
