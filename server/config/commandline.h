// vigild's command line (PROTOCOL.md §5) and --config file, turned into a
// ServerConfig. Shared by vigild and `vigil-monitor --headless`, and by
// the monitor to pre-fill its settings form.
#pragma once

#include "serverconfig.h"

#include <QCommandLineParser>
#include <QStringList>

namespace Vigil {

struct ParsedCommandLine
{
    enum class Action { Run, Help, Version, Error };
    Action action = Action::Run;
    ServerConfig config;
    QString error; // one line, for Action::Error
    QString text;  // help or version text
    bool start = false; // monitor: --start
    bool headless = false; // monitor: --headless
};

class ServerCommandLine final
{
public:
    // program: "vigild" or "vigil-monitor" (the monitor adds --headless, --start).
    explicit ServerCommandLine(const QString &program);

    ParsedCommandLine parse(const QStringList &arguments);
    // Applies one flag's value (also a config file entry) to config.
    static QString apply(ServerConfig &config, const QString &key, const QString &value);
    static QStringList keys(); // every long flag that takes part in the config

private:
    static bool isRepeatable(const QString &key);
    // Reads --config FILE into config; a one-line error naming FILE:LINE.
    static QString applyConfigFile(ServerConfig &config, const QString &path);
    QString helpText() const;

    QString m_program;
    QCommandLineParser m_parser;
};

} // namespace Vigil
