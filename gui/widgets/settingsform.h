// The server settings form: listeners, framing, policy, watchdog timeouts,
// limits and mode. Refuses invalid values with the reason, in the form.
#pragma once

#include "serverconfig.h"

#include <QWidget>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace Vigil {

class SettingsForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsForm)
public:
    explicit SettingsForm(QWidget *parent = nullptr);

    void setConfig(const ServerConfig &config);
    // The form's config, or nullopt with *error naming the field and why.
    std::optional<ServerConfig> config(QString *error = nullptr) const;
    bool isValid() const { return m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    // Listeners, framing and threads are fixed while a server runs.
    void setRunning(bool running);

    // For tests and scripted use.
    QLineEdit *listenEdit() const { return m_listen; }
    QLineEdit *idleTimeoutEdit() const { return m_idleTimeout; }
    QLineEdit *lifetimeEdit() const { return m_lifetime; }
    QLineEdit *writeTimeoutEdit() const { return m_writeTimeout; }
    QLineEdit *probeIntervalEdit() const { return m_probeInterval; }
    QSpinBox *lifetimeJitterBox() const { return m_lifetimeJitter; }
    QLineEdit *lifetimeGraceEdit() const { return m_lifetimeGrace; }
    QLineEdit *drainTimeEdit() const { return m_drainTime; }
    QLineEdit *tlsCertEdit() const { return m_tlsCert; }
    QLineEdit *tlsKeyEdit() const { return m_tlsKey; }
    QLineEdit *minPingIntervalEdit() const { return m_minPingInterval; }
    QLineEdit *frameTimeoutEdit() const { return m_frameTimeout; }
    QComboBox *policyBox() const { return m_policy; }

signals:
    // A field was committed (editing finished, a choice made).
    void configEdited();
    void validityChanged(bool valid);

private:
    static void setHelp(QWidget *field, const QString &help);
    // A path field with a "…" button that opens a file dialog.
    QWidget *withFilePicker(QLineEdit *edit, const QString &caption);
    void revalidate();

    ServerConfig m_base; // settings the form does not show survive a round trip
    QLineEdit *m_listen;
    QComboBox *m_framing;
    QComboBox *m_policy;
    QLineEdit *m_idleTimeout;
    QLineEdit *m_lifetime;
    QLineEdit *m_writeTimeout;
    QLineEdit *m_probeInterval;
    QSpinBox *m_lifetimeJitter;     // PROTOCOL.md §10
    QLineEdit *m_lifetimeGrace;
    QLineEdit *m_drainTime;
    QLineEdit *m_tlsCert;
    QLineEdit *m_tlsKey;
    QLineEdit *m_minPingInterval;
    QLineEdit *m_frameTimeout;
    QLineEdit *m_maxPayload;
    QSpinBox *m_maxConnections;
    QSpinBox *m_maxPerIp;
    QSpinBox *m_maxMsgRate;
    QComboBox *m_mode;
    QSpinBox *m_threads;
    QLabel *m_errorLabel;
    QString m_error;
};

} // namespace Vigil
