// HELLO and WELCOME payloads (PROTOCOL.md §2).
#pragma once

#include "policy.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace Vigil {

struct Hello
{
    QString client;
    std::optional<Policy> policy;
    std::optional<qint64> keepaliveMs;

    // A UTF-8 JSON object; every key optional, unknown keys ignored (a
    // newer client may say more). Wrong types or values are malformed.
    static std::optional<Hello> parse(const char *data, size_t size, QString *error = nullptr);
    QByteArray toJson() const;
};

struct Welcome
{
    quint64 conn = 0;
    ConnectionTimers timers;
    qint64 maxPayload = 0;

    QByteArray toJson() const;
    static std::optional<Welcome> parse(const QByteArray &json);
};

QString serverVersionString(); // "vigild/<version>"

} // namespace Vigil
