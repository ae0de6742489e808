// What other threads ask of a network thread (adopt an accepted socket,
// refuse one, kick, send, new config, publish settings, drain, stop), queued under one
// mutex and run by the loop in the order they were posted.
#pragma once

#include "closereason.h"
#include "peeraddress.h"
#include "serverconfig.h"

#include <memory>
#include <mutex>
#include <vector>

namespace Vigil {

struct NetworkCommand
{
    enum class Type { Adopt, Reject, Kick, Send, Broadcast, ApplyConfig, Publish, Drain, Stop };
    explicit NetworkCommand(Type t)
        : type(t)
    {
    }
    Type type;
    int fd = -1; // Adopt, Reject: owned by the command until it runs
    quint64 id = 0;
    PeerAddress peer;
    CloseReason reason = CloseReason::None;
    std::shared_ptr<const ServerConfig> config;
    bool flag = false;
    bool tls = false; // Adopt, Reject: from a tls listener (PROTOCOL.md §9)
    int value = 0;
    qint64 durationMs = 0; // Drain
    QByteArray payload; // Send, Broadcast (shared, not copied, across threads)
};

class CommandQueue final
{
public:
    CommandQueue() = default;
    // Descriptors of commands that never ran (posted after the loop's last
    // look) are closed: a socket handed to a stopped thread is not leaked.
    ~CommandQueue();
    CommandQueue(const CommandQueue &) = delete;
    CommandQueue &operator=(const CommandQueue &) = delete;

    // Any thread. true when the queue was empty, so the caller wakes the
    // loop: one wake-up per batch of commands, not per command.
    bool post(NetworkCommand &&command);
    // Loop thread: everything posted so far, oldest first, swapped into
    // `into` (which must be empty; its capacity is reused).
    void takeAll(std::vector<NetworkCommand> &into);
    // A lock and unlock of the queue's mutex: called at the end of the
    // loop and before the owner frees what the loop used, it orders the
    // two in a way ThreadSanitizer can see (QThread::wait synchronises
    // inside libQt6Core, which TSan does not instrument).
    void handOver();

private:
    std::mutex m_mutex;
    std::vector<NetworkCommand> m_commands; // guarded by m_mutex
};

} // namespace Vigil
