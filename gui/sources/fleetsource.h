// Several vigild attached as one named fleet (the instances behind one
// HAProxy): one merged feed for one view. Each instance is a
// RemoteServerSource of its own; their connection ids are made unique with
// FleetId, kicks go back to the instance that owns the id, and the stats
// are the sum over the instances that answer.
#pragma once

#include "serversource.h"

#include <QTimer>
#include <QVector>

namespace Vigil {

class RemoteServerSource;

class FleetSource final : public ServerSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetSource)
public:
    // addresses: HOST:PORT of each `vigild --admin`, in fleet order; one
    // token for all of them (empty for none).
    FleetSource(const QString &name, const QStringList &addresses, const QString &token = QString(),
                QObject *parent = nullptr);
    ~FleetSource() override;

    // Bounds of a fleet the monitor accepts (the dialog says so).
    static constexpr int MaxInstances = 32;
    // Why name and addresses make no fleet, as one line for the user;
    // empty when they do. The dialog, attaching and restoring share it.
    static QString problem(const QString &name, const QStringList &addresses);

    QString name() const { return m_name; }
    QStringList addresses() const;
    QList<ServerSource *> members() const override;
    RemoteServerSource *member(int index) const { return m_members.value(index); }
    QString instanceOf(quint64 id) const override;
    // What the summary and the Instance column call a member: its
    // --instance-name once it said, else its address.
    static QString memberName(const ServerSource *member);

    // Watching, kicking, retrying and one token for all; no drain: a
    // fleet is drained one instance at a time (docs/deploy.md).
    Capabilities capabilities() const override { return Capability::Retry | Capability::Token; }
    QString title() const override;
    // Connected while any instance answers: its rows are live. Otherwise
    // Connecting while any is, else the state the instances share, or Lost.
    State state() const override;
    // "3 of 3 instances up", or which are down and why.
    QString statusText() const override;
    QString errorString() const override;
    // The sum over the instances that answer.
    ServerStats lastStats() const override;
    bool hasPreviews() const override { return false; }

    bool start() override;
    void stop() override;
    void applyConfig(const ServerConfig &, bool) override {}
    bool drain(qint64) override { return false; }
    void retryNow() override;
    void setToken(const QString &token) override;
    QString token() const override { return m_token; }
    bool hasGivenUp() const override;
    void kick(quint64 id) override;
    void setWatched(bool watched) override;
    void setPublishInterval(int intervalMs) override;

    int upCount() const;

private:
    void forwardBatch(int member, const ServerBatch &batch);
    void scheduleStats();

    QString m_name;
    QString m_token;
    QVector<RemoteServerSource *> m_members;
    // The instances' stats arrive one poll each: the sum goes out once.
    QTimer m_statsTimer;
};

} // namespace Vigil
