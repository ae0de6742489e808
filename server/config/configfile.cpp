// A small strict INI reader: unlike QSettings it reports the line of a
// mistake and keeps repeated keys, which a daemon's config needs.
#include "configfile.h"

#include <QFile>
#include <QScopeGuard>
#include <QStringDecoder>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Vigil {

namespace {
constexpr qint64 MaxConfigBytes = 1024 * 1024;
constexpr char Utf8Bom[] = "\xEF\xBB\xBF";

// What a path is when it is not a regular file, for the error message.
QString fileKind(mode_t mode)
{
    if (S_ISDIR(mode))
        return QStringLiteral("a directory");
    if (S_ISFIFO(mode))
        return QStringLiteral("a FIFO");
    if (S_ISCHR(mode))
        return QStringLiteral("a character device");
    if (S_ISBLK(mode))
        return QStringLiteral("a block device");
    if (S_ISSOCK(mode))
        return QStringLiteral("a socket");
    return QStringLiteral("not a file");
}

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error)).toLower();
}

// Reads a regular file with a hard cap, so a file that grows between the
// stat and the read cannot take more than MaxConfigBytes + 1 bytes.
std::optional<QByteArray> readCapped(const QString &path, QString *error)
{
    auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const auto cannotRead = [&](const QString &why) {
        return fail(QStringLiteral("cannot read config file %1: %2").arg(path, why));
    };
    // O_NONBLOCK: opening a FIFO without a writer would otherwise block here.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return cannotRead(systemError(errno));
    const auto closeFd = qScopeGuard([fd] { ::close(fd); });
    struct stat st{};
    if (::fstat(fd, &st) != 0)
        return cannotRead(systemError(errno));
    if (!S_ISREG(st.st_mode))
        return cannotRead(QStringLiteral("it is %1, not a regular file").arg(fileKind(st.st_mode)));
    if (st.st_size > MaxConfigBytes)
        return fail(QStringLiteral("config file %1 is larger than 1 MiB").arg(path));

    QByteArray text(MaxConfigBytes + 1, Qt::Uninitialized);
    qint64 size = 0;
    while (size < text.size()) {
        const ssize_t n = ::read(fd, text.data() + size, size_t(text.size() - size));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return cannotRead(systemError(errno));
        if (n == 0)
            break;
        size += n;
    }
    if (size > MaxConfigBytes)
        return fail(QStringLiteral("config file %1 is larger than 1 MiB").arg(path));
    text.truncate(size);
    return text;
}
} // namespace

QString ConfigFile::location(const QString &source, int line)
{
    return source + QLatin1Char(':') + QString::number(line);
}

std::optional<QList<ConfigEntry>> ConfigFile::parse(const QByteArray &text, const QString &source, QString *error)
{
    auto fail = [&](int line, const QString &why) {
        if (error)
            *error = location(source, line) + QStringLiteral(": ") + why;
        return std::nullopt;
    };
    QList<ConfigEntry> entries;
    const QByteArray body = text.startsWith(Utf8Bom) ? text.mid(int(sizeof Utf8Bom) - 1) : text;
    const QList<QByteArray> lines = body.split('\n');
    int number = 0;
    for (const QByteArray &raw : lines) {
        ++number;
        // QString::fromUtf8 would end the line at a NUL and turn bad bytes
        // into U+FFFD, changing a value without a word.
        if (raw.contains('\0'))
            return fail(number, QStringLiteral("contains a NUL byte (is this a text file?)"));
        QStringDecoder decoder(QStringDecoder::Utf8);
        const QString line = QString(decoder.decode(raw)).trimmed();
        if (decoder.hasError())
            return fail(number, QStringLiteral("is not valid UTF-8"));
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char(';')))
            continue;
        if (line.startsWith(QLatin1Char('['))) {
            if (!line.endsWith(QLatin1Char(']')))
                return fail(number, QStringLiteral("unterminated section header"));
            continue; // [vigild] or [General]: one namespace
        }
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return fail(number, QStringLiteral("expected 'key = value'"));
        ConfigEntry entry;
        entry.key = line.left(eq).trimmed();
        entry.value = line.mid(eq + 1).trimmed();
        entry.line = number;
        if (entry.value.size() >= 2 && entry.value.startsWith(QLatin1Char('"')) && entry.value.endsWith(QLatin1Char('"')))
            entry.value = entry.value.mid(1, entry.value.size() - 2);
        entries.append(entry);
    }
    return entries;
}

std::optional<QList<ConfigEntry>> ConfigFile::load(const QString &path, QString *error)
{
    const auto text = readCapped(path, error);
    if (!text)
        return std::nullopt;
    return parse(*text, path, error);
}

} // namespace Vigil
