// A command line's options as one table: the parser is built from it and
// --help lists it, so a flag cannot be accepted without being documented
// (or documented without being accepted). vigild's ServerCommandLine keeps
// its table the same way; this one also knows which form (subcommand) of
// the command line takes each option.
#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <cstddef>

namespace Vigil {

struct OptionSpec
{
    unsigned forms;        // bit mask: the forms that take the option
    const char *name;      // long name, without "--"
    const char *valueName; // nullptr for a flag
    const char *usage;     // the usage line's spelling of the value; nullptr: valueName
    const char *help;      // one paragraph, wrapped by help()
    bool required;         // written without brackets in the usage line
};

class OptionTable final
{
public:
    template <size_t N>
    explicit constexpr OptionTable(const OptionSpec (&specs)[N])
        : m_begin(specs)
        , m_end(specs + N)
    {
    }

    // Adds form's options to parser (help text included).
    void addTo(QCommandLineParser &parser, unsigned form) const;
    // form's long names, in table order.
    QStringList names(unsigned form) const;
    // "  <command> [--a X] [--b] --c N ...", wrapped at 80 columns, no newline at the end.
    QString usage(const QString &command, unsigned form) const;
    // One "  --name VALUE   help" entry per option, help wrapped at 80 columns.
    QString help(unsigned form) const;

private:
    const OptionSpec *m_begin;
    const OptionSpec *m_end;
};

} // namespace Vigil
