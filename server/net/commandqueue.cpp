#include "commandqueue.h"

#include <unistd.h>

namespace Vigil {

CommandQueue::~CommandQueue()
{
    for (const NetworkCommand &c : m_commands) {
        if (c.fd >= 0)
            ::close(c.fd);
    }
}

bool CommandQueue::post(NetworkCommand &&command)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const bool wasEmpty = m_commands.empty();
    m_commands.push_back(std::move(command));
    return wasEmpty;
}

void CommandQueue::takeAll(std::vector<NetworkCommand> &into)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    into.swap(m_commands);
}

void CommandQueue::handOver()
{
    std::lock_guard<std::mutex> lock(m_mutex);
}

} // namespace Vigil
