// vigil-presence: which devices are online and why the others left.
// Devices connect with HELLO {"client": "sensor-17"} and heartbeat (PING);
// anyone sends DATA "who" for the registry as JSON. vigild's flags apply
// (e.g. --idle-timeout 15s: a device silent that long is gone, idle-timeout).
#include "presenceregistry.h"

#include <vigil/daemon.h>

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const auto admin = Vigil::createAdminExtension();
    return Vigil::Daemon::run(QStringLiteral("vigil-presence"), app.arguments(), admin.get(),
                              std::make_shared<PresenceRegistry>());
}
