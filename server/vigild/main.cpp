// vigild: the headless Vigil server.
#include "daemon.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("vigild"));
    QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
    const auto admin = Vigil::createAdminExtension();
    return Vigil::Daemon::run(QStringLiteral("vigild"), QCoreApplication::arguments(), admin.get());
}
