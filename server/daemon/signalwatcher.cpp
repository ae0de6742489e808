// Self-pipe signal handling.
#include "signalwatcher.h"

#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace Vigil {

namespace {
int g_pipe[2] = {-1, -1};
// What SIGHUP did before watchHangup() (SIG_IGN under nohup), restored after.
struct sigaction g_previousHangup{};

void handleSignal(int signal)
{
    const int saved = errno;
    const char byte = char(signal);
    [[maybe_unused]] ssize_t n = ::write(g_pipe[1], &byte, 1);
    errno = saved;
}

void install(int signal, struct sigaction *previous = nullptr)
{
    struct sigaction action{};
    action.sa_handler = handleSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(signal, &action, previous);
}
} // namespace

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
{
    if (g_pipe[0] < 0 && ::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    install(SIGINT);
    install(SIGTERM);
    m_notifier = new QSocketNotifier(g_pipe[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::handleActivated);
}

SignalWatcher::~SignalWatcher()
{
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (m_watchingHangup)
        sigaction(SIGHUP, &g_previousHangup, nullptr);
}

void SignalWatcher::watchHangup()
{
    if (!m_notifier || m_watchingHangup)
        return;
    m_watchingHangup = true;
    install(SIGHUP, &g_previousHangup);
}

void SignalWatcher::handleActivated()
{
    char byte = 0;
    while (::read(g_pipe[0], &byte, 1) == 1) {
        if (int(byte) == SIGHUP)
            emit hangupReceived();
        else
            emit terminationRequested(int(byte));
    }
}

} // namespace Vigil
