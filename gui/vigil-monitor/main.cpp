// vigil-monitor: the Vigil server with a window (or headless, like vigild).
#include "monitorlauncher.h"

int main(int argc, char *argv[])
{
    return Vigil::MonitorLauncher::run(argc, argv);
}
