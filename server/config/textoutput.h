// Writing a message or a help text to stdout/stderr at once: the daemon
// and the client print whole texts and must not leave them in a buffer
// (PROTOCOL.md §7: output is flushed, also into a pipe).
#pragma once

#include <QString>
#include <cstdio>

namespace Vigil {

inline void writeText(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}

} // namespace Vigil
