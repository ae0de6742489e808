// vigild's command line (PROTOCOL.md §5) and --config file, turned into a
// ServerConfig. Shared by vigild and `vigil-monitor --headless`, and by
// the monitor to pre-fill its settings form.
#pragma once

#include "configfile.h"
#include "serverconfig.h"

#include <QCommandLineParser>
#include <QHash>
#include <QList>
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
    // A server option or --config was given, not only --start, --headless
    // or extra options: the monitor then pre-fills its form from config.
    bool serverOptionsGiven = false;
    // The extra options given (see OptionSection), name -> value ("" for
    // a flag), unchecked: their owner checks them.
    QHash<QString, QString> extra;
    // What a reload (PROTOCOL.md §11) builds config from again: the
    // --config file (absolute; empty without one) and the server flags of
    // the command line in the order they apply, which win over the file.
    QString configFile;
    QList<ConfigEntry> flags;
};

// Options a program adds to the server's, listed in --help under their own
// heading (the monitor's "Developer options"), each at most once.
struct OptionSection
{
    QString title;
    QList<QCommandLineOption> options;
};

class ServerCommandLine final
{
public:
    // program: "vigild" or "vigil-monitor" (the monitor adds --headless, --start).
    explicit ServerCommandLine(const QString &program, const QList<OptionSection> &sections = {});

    ParsedCommandLine parse(const QStringList &arguments);
    // Applies one flag's value (also a config file entry) to config.
    static QString apply(ServerConfig &config, const QString &key, const QString &value);
    static QStringList keys(); // every long flag that takes part in the config
    // The config of parsed (Action::Run) built again: its --config file as
    // it reads now, its command-line flags on top, validated. nullopt with
    // a one-line error (FILE:LINE: what) when that no longer works.
    static std::optional<ServerConfig> rebuild(const ParsedCommandLine &parsed, QString *error);

private:
    static bool isRepeatable(const QString &key);
    // Reads --config FILE into config; a one-line error naming FILE:LINE.
    static QString applyConfigFile(ServerConfig &config, const QString &path);
    // The file (if any), then the flags on top, defaults, validation.
    static QString build(ServerConfig &config, const std::optional<QString> &configFile,
                         const QList<ConfigEntry> &flags);
    QString helpText() const;

    QString m_program;
    QList<OptionSection> m_sections;
    QCommandLineParser m_parser;
};

} // namespace Vigil
