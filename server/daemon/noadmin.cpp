// vigild built without Qt HttpServer: no admin endpoint, --admin exits 2.
#include "daemon.h"

namespace Vigil {

std::unique_ptr<DaemonExtension> createAdminExtension()
{
    return nullptr;
}

} // namespace Vigil
