// vigild's command line (PROTOCOL.md §5) and --config file, turned into a
// ServerConfig. Shared by vigild and `vigil-monitor --headless`, and by
// the monitor to pre-fill its settings form.
#pragma once

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

private:
    static bool isRepeatable(const QString &key);
    // Reads --config FILE into config; a one-line error naming FILE:LINE.
    static QString applyConfigFile(ServerConfig &config, const QString &path);
    QString helpText() const;

    QString m_program;
    QList<OptionSection> m_sections;
    QCommandLineParser m_parser;
};

} // namespace Vigil
