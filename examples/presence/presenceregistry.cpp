#include "presenceregistry.h"

#include <QJsonArray>
#include <QJsonDocument>

void PresenceRegistry::greeted(Vigil::Session &session)
{
    if (session.clientName().isEmpty())
        return; // anonymous: may ask, is not listed
    std::lock_guard lock(m_mutex);
    m_names.insert(session.id(), session.clientName());
    m_online.insert(session.clientName(), {session.id(), session.peer().toString(), QDateTime::currentDateTimeUtc()});
    m_gone.remove(session.clientName());
}

void PresenceRegistry::received(Vigil::Session &session, QByteArrayView payload)
{
    if (payload == "who")
        session.send(QJsonDocument(toJson()).toJson(QJsonDocument::Compact));
}

void PresenceRegistry::closed(Vigil::Session &session, Vigil::CloseReason reason)
{
    std::lock_guard lock(m_mutex);
    const QString name = m_names.take(session.id());
    const auto device = m_online.constFind(name);
    if (name.isEmpty() || device == m_online.cend() || device->conn != session.id())
        return; // anonymous, or an older connection of a device that is back
    m_online.erase(device);
    if (m_gone.size() >= MaxDepartures)
        m_gone.erase(m_gone.begin());
    m_gone.insert(name, {Vigil::closeReasonName(reason), QDateTime::currentDateTimeUtc()});
}

QJsonObject PresenceRegistry::toJson() const
{
    std::lock_guard lock(m_mutex);
    QJsonArray online;
    for (auto it = m_online.cbegin(); it != m_online.cend(); ++it)
        online.append(QJsonObject{{QStringLiteral("client"), it.key()},
                                  {QStringLiteral("peer"), it->peer},
                                  {QStringLiteral("since"), it->since.toString(Qt::ISODate)}});
    QJsonArray gone;
    for (auto it = m_gone.cbegin(); it != m_gone.cend(); ++it)
        gone.append(QJsonObject{{QStringLiteral("client"), it.key()},
                                {QStringLiteral("reason"), it->reason},
                                {QStringLiteral("at"), it->at.toString(Qt::ISODate)}});
    return {{QStringLiteral("online"), online}, {QStringLiteral("gone"), gone}};
}
