// vigild's --admin: the DaemonExtension that runs an AdminServer.
#include "adminserver.h"
#include "daemon.h"
#include "server.h"

namespace Vigil {

namespace {
class AdminExtension final : public DaemonExtension
{
public:
    QString prepare(const ServerConfig &config) override
    {
        m_address = *config.admin;
        m_previews = config.adminPreviews;
        if (config.adminTokenFile.isEmpty())
            return QString();
        QString error;
        m_token = AdminServer::loadToken(config.adminTokenFile, &error);
        return error;
    }

    QString start(Server &server, std::function<ReloadResult()> reload, QString *notice) override
    {
        m_endpoint = std::make_unique<AdminServer>(server, m_token, m_previews);
        m_endpoint->setReloadHandler(std::move(reload));
        if (!m_endpoint->listen(m_address)) {
            const QString error = m_endpoint->errorString();
            m_endpoint.reset();
            return error;
        }
        *notice = QStringLiteral("admin on %1").arg(m_endpoint->boundAddress().toString());
        return QString();
    }

    void stop() override { m_endpoint.reset(); }

private:
    ListenAddress m_address;
    QByteArray m_token;
    bool m_previews = false;
    std::unique_ptr<AdminServer> m_endpoint;
};
} // namespace

std::unique_ptr<DaemonExtension> createAdminExtension()
{
    return std::make_unique<AdminExtension>();
}

} // namespace Vigil
