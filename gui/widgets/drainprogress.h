// The Drain… action's two steps: DrainDialog asks how long the drain may
// take (PROTOCOL.md §10: every connection gets GOAWAY server-shutdown and
// closes at a random time within it), DrainProgress then follows it —
// connections left, time left — until the server has stopped. Both work on
// a ServerSource, so the embedded server and an attached vigild drain alike.
#pragma once

#include <QDialog>
#include <QPointer>
#include <QTimer>

#include <optional>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace Vigil {

class ServerSource;

class DrainDialog final : public QDialog
{
    Q_OBJECT
public:
    DrainDialog(int openConnections, qint64 defaultMs, QWidget *parent = nullptr);

    // The duration typed, or nullopt (and the reason shown) if it is not one.
    std::optional<qint64> drainMs() const;
    QLineEdit *durationEdit() const { return m_edit; }

private:
    void validate();

    QLineEdit *m_edit;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};

class DrainProgress final : public QDialog
{
    Q_OBJECT
public:
    // Follows source's drain of drainMs, begun just now.
    DrainProgress(ServerSource *source, qint64 drainMs, QWidget *parent = nullptr);

    QString text() const;
    int percent() const;
    QPushButton *stopNowButton() const { return m_stopNow; }

private:
    void refresh();

    QPointer<ServerSource> m_source;
    qint64 m_drainMs;
    qint64 m_startedAtMs;
    int m_startConnections = 0;
    QLabel *m_label;
    QProgressBar *m_bar;
    QPushButton *m_stopNow;
    QTimer m_tick;
};

} // namespace Vigil
