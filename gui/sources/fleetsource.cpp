// FleetSource: the instances' feeds merged for one view. Nothing here
// knows HTTP: each instance is a RemoteServerSource that polls, retries
// and decodes on its own; this class only renames ids and adds up.
#include "fleetsource.h"

#include "fleetid.h"
#include "remoteserversource.h"

#include <QtGlobal>

#include <algorithm>

namespace Vigil {

namespace {
// A full batch replaces the rows of its "thread": each instance gets a
// range of its own, so one instance's poll never drops another's rows.
constexpr int ThreadsPerMember = 1024;
} // namespace

FleetSource::FleetSource(const QString &name, const QStringList &addresses, const QString &token, QObject *parent)
    : ServerSource(parent)
    , m_name(name)
    , m_token(token)
{
    Q_ASSERT(!addresses.isEmpty() && addresses.size() <= MaxInstances);
    m_statsTimer.setSingleShot(true);
    m_statsTimer.setInterval(0);
    connect(&m_statsTimer, &QTimer::timeout, this, [this] { emit statsUpdated(lastStats()); });
    for (const QString &address : addresses) {
        const int index = int(m_members.size());
        auto *member = new RemoteServerSource(address, token, this);
        m_members.append(member);
        connect(member, &ServerSource::batchPublished, this,
                [this, index](const ServerBatch &batch) { forwardBatch(index, batch); });
        connect(member, &ServerSource::statsUpdated, this, &FleetSource::scheduleStats);
        connect(member, &ServerSource::statusChanged, this, [this] {
            emit statusChanged();
            scheduleStats(); // a lost instance leaves the sum
        });
        connect(member, &ServerSource::kickFinished, this, [this, index](quint64 id, bool ok, const QString &error) {
            emit kickFinished(FleetId::make(index, id), ok,
                              ok ? error : memberName(m_members[index]) + QStringLiteral(": ") + error);
        });
        connect(member, &ServerSource::notice, this, [this, index](const QString &message, int timeoutMs) {
            emit notice(memberName(m_members[index]) + QStringLiteral(": ") + message, timeoutMs);
        });
        connect(member, &ServerSource::serverRestarted, this, [this, index](const QString &detail) {
            emit serverRestarted(memberName(m_members[index]) + QStringLiteral(": ") + detail);
        });
    }
}

QString FleetSource::problem(const QString &name, const QStringList &addresses)
{
    if (name.trimmed().isEmpty())
        return tr("Give the fleet a name.");
    if (addresses.isEmpty())
        return tr("Enter the admin address of each vigild, one per line.");
    for (const QString &address : addresses) {
        if (!RemoteServerSource::isValidAddress(address))
            return tr("\"%1\" is not HOST:PORT.").arg(address);
    }
    if (addresses.size() > MaxInstances)
        return tr("%1 addresses: a fleet holds at most %2.").arg(addresses.size()).arg(MaxInstances);
    return QString();
}

FleetSource::~FleetSource()
{
    // No status signals from members being torn down with this object.
    for (RemoteServerSource *member : std::as_const(m_members))
        disconnect(member, nullptr, this, nullptr);
}

QStringList FleetSource::addresses() const
{
    QStringList list;
    for (const RemoteServerSource *member : m_members)
        list << member->address();
    return list;
}

QList<ServerSource *> FleetSource::members() const
{
    QList<ServerSource *> list;
    for (RemoteServerSource *member : m_members)
        list << member;
    return list;
}

QString FleetSource::memberName(const ServerSource *member)
{
    const QString name = member->instanceName();
    return name.isEmpty() ? member->title() : name;
}

QString FleetSource::instanceOf(quint64 id) const
{
    const int index = FleetId::member(id);
    return index >= 0 && index < m_members.size() ? memberName(m_members[index]) : QString();
}

QString FleetSource::title() const
{
    return tr("Fleet %1").arg(m_name);
}

int FleetSource::upCount() const
{
    return int(std::count_if(m_members.cbegin(), m_members.cend(),
                             [](const RemoteServerSource *m) { return m->state() == State::Connected; }));
}

ServerSource::State FleetSource::state() const
{
    auto any = [this](State s) {
        return std::any_of(m_members.cbegin(), m_members.cend(), [s](const RemoteServerSource *m) { return m->state() == s; });
    };
    if (any(State::Connected))
        return State::Connected;
    if (std::all_of(m_members.cbegin(), m_members.cend(), [](const RemoteServerSource *m) { return m->state() == State::Stopped; }))
        return State::Stopped;
    if (any(State::Connecting))
        return State::Connecting;
    const State first = m_members.constFirst()->state();
    const bool shared = std::all_of(m_members.cbegin(), m_members.cend(),
                                    [first](const RemoteServerSource *m) { return m->state() == first; });
    return shared ? first : State::Lost;
}

QString FleetSource::statusText() const
{
    const int up = upCount();
    QString text = tr("fleet %1: %2 of %3 instances up").arg(m_name).arg(up).arg(m_members.size());
    QStringList down;
    for (const RemoteServerSource *member : m_members) {
        if (member->isTroubled())
            down << tr("%1 %2").arg(memberName(member), member->statusText());
    }
    if (!down.isEmpty())
        text += QStringLiteral(" · ") + down.join(QStringLiteral(" · "));
    return text;
}

QString FleetSource::errorString() const
{
    QStringList errors;
    for (const RemoteServerSource *member : m_members) {
        if (!member->errorString().isEmpty())
            errors << memberName(member) + QStringLiteral(": ") + member->errorString();
    }
    return errors.join(QStringLiteral("; "));
}

ServerStats FleetSource::lastStats() const
{
    ServerStats total;
    for (const RemoteServerSource *member : m_members) {
        if (member->state() != State::Connected)
            continue;
        const ServerStats s = member->lastStats();
        total += s;
        total.bufferedBytes += s.bufferedBytes;
        total.memoryLimit += s.memoryLimit;
        total.draining = total.draining || s.draining;
        total.drainDeadlineMs = std::max(total.drainDeadlineMs, s.drainDeadlineMs);
        total.sampledAtMs = std::max(total.sampledAtMs, s.sampledAtMs);
    }
    return total;
}

bool FleetSource::start()
{
    for (RemoteServerSource *member : std::as_const(m_members))
        member->start();
    return true;
}

void FleetSource::stop()
{
    for (RemoteServerSource *member : std::as_const(m_members))
        member->stop();
}

void FleetSource::retryNow()
{
    for (RemoteServerSource *member : std::as_const(m_members)) {
        if (member->isTroubled() || member->hasGivenUp())
            member->retryNow();
    }
}

void FleetSource::setToken(const QString &token)
{
    m_token = token.trimmed();
    for (RemoteServerSource *member : std::as_const(m_members))
        member->setToken(m_token);
}

bool FleetSource::hasGivenUp() const
{
    return std::all_of(m_members.cbegin(), m_members.cend(), [](const RemoteServerSource *m) { return m->hasGivenUp(); });
}

void FleetSource::kick(quint64 id)
{
    const int index = FleetId::member(id);
    if (index < 0 || index >= m_members.size()) {
        emit kickFinished(id, false, tr("connection %1 belongs to no instance of this fleet").arg(FleetId::local(id)));
        return;
    }
    m_members[index]->kick(FleetId::local(id));
}

void FleetSource::setWatched(bool watched)
{
    for (RemoteServerSource *member : std::as_const(m_members))
        member->setWatched(watched);
}

void FleetSource::setPublishInterval(int intervalMs)
{
    for (RemoteServerSource *member : std::as_const(m_members))
        member->setPublishInterval(intervalMs);
}

void FleetSource::scheduleStats()
{
    if (!m_statsTimer.isActive())
        m_statsTimer.start();
}

void FleetSource::forwardBatch(int member, const ServerBatch &batch)
{
    ServerBatch merged = batch;
    if (merged.thread >= 0)
        merged.thread = member * ThreadsPerMember + merged.thread;
    for (ConnectionSnapshot &s : merged.updated)
        s.id = FleetId::make(member, s.id);
    for (ClosedConnection &c : merged.closed)
        c.id = FleetId::make(member, c.id);
    for (ServerEvent &e : merged.events) {
        if (e.conn)
            e.conn = FleetId::make(member, e.conn);
    }
    emit batchPublished(merged);
}

} // namespace Vigil
