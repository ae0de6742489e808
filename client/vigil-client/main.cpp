// vigil-client: the sender and the bench load generator.
#include "clientapp.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("vigil-client"));
    QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
    return Vigil::ClientApp::run(QCoreApplication::arguments());
}
