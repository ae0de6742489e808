#include "ratemeter.h"

namespace Vigil {

void RateMeter::add(qint64 atMs, quint64 counter)
{
    if (!m_samples.empty()) {
        if (atMs <= m_samples.back().atMs)
            return;
        if (counter < m_samples.back().counter)
            m_samples.clear();
    }
    m_samples.push_back({atMs, counter});
    // Keep exactly one sample at or before the window's start.
    while (m_samples.size() > 2 && m_samples[1].atMs <= atMs - m_windowMs)
        m_samples.pop_front();
}

double RateMeter::perSecond() const
{
    if (m_samples.size() < 2)
        return 0.0;
    const Sample &first = m_samples.front();
    const Sample &last = m_samples.back();
    return double(last.counter - first.counter) * 1000.0 / double(last.atMs - first.atMs);
}

} // namespace Vigil
