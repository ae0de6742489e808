#include "optiontable.h"

namespace Vigil {

namespace {
constexpr int Width = 80;
constexpr int HelpColumn = 24; // where an option's help starts

// Appends words to text, breaking lines before Width; continuation lines
// start at column indent. column is text's current column.
void appendWrapped(QString &text, int &column, const QString &words, int indent)
{
    const QStringList parts = words.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    bool first = true;
    for (const QString &word : parts) {
        if (!first && column + 1 + int(word.size()) >= Width) {
            text += QLatin1Char('\n') + QString(indent, QLatin1Char(' '));
            column = indent;
        } else if (!first) {
            text += QLatin1Char(' ');
            ++column;
        }
        text += word;
        column += int(word.size());
        first = false;
    }
}
} // namespace

void OptionTable::addTo(QCommandLineParser &parser, unsigned form) const
{
    for (const OptionSpec *s = m_begin; s != m_end; ++s) {
        if (!(s->forms & form))
            continue;
        parser.addOption(QCommandLineOption(QString::fromLatin1(s->name), QString::fromUtf8(s->help),
                                            s->valueName ? QString::fromLatin1(s->valueName) : QString()));
    }
}

QStringList OptionTable::names(unsigned form) const
{
    QStringList names;
    for (const OptionSpec *s = m_begin; s != m_end; ++s) {
        if (s->forms & form)
            names << QString::fromLatin1(s->name);
    }
    return names;
}

QString OptionTable::usage(const QString &command, unsigned form) const
{
    QString text = QStringLiteral("  ") + command;
    int column = int(text.size());
    // Continuation lines start under the program's first argument.
    const int indent = 2 + int(command.section(QLatin1Char(' '), 0, 0).size()) + 1;
    for (const OptionSpec *s = m_begin; s != m_end; ++s) {
        if (!(s->forms & form))
            continue;
        QString item = QStringLiteral("--") + QString::fromLatin1(s->name);
        const char *value = s->usage ? s->usage : s->valueName;
        if (value)
            item += QLatin1Char(' ') + QString::fromLatin1(value);
        if (!s->required)
            item = QLatin1Char('[') + item + QLatin1Char(']');
        // Keep "[--flag VALUE]" on one line.
        if (column + 1 + int(item.size()) >= Width) {
            text += QLatin1Char('\n') + QString(indent, QLatin1Char(' '));
            column = indent;
        } else {
            text += QLatin1Char(' ');
            ++column;
        }
        text += item;
        column += int(item.size());
    }
    return text;
}

QString OptionTable::help(unsigned form) const
{
    QString text;
    for (const OptionSpec *s = m_begin; s != m_end; ++s) {
        if (!(s->forms & form))
            continue;
        QString left = QStringLiteral("  --") + QString::fromLatin1(s->name);
        if (s->valueName)
            left += QLatin1Char(' ') + QString::fromLatin1(s->valueName);
        text += left;
        if (left.size() + 2 > HelpColumn)
            text += QLatin1Char('\n') + QString(HelpColumn, QLatin1Char(' '));
        else
            text += QString(HelpColumn - int(left.size()), QLatin1Char(' '));
        int column = HelpColumn;
        appendWrapped(text, column, QString::fromUtf8(s->help), HelpColumn);
        text += QLatin1Char('\n');
    }
    return text;
}

} // namespace Vigil
