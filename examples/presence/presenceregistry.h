// Who is online: devices say who they are in HELLO ("client") and keep
// their connection alive with heartbeats; the watchdogs decide when one is
// gone and why. Any client may ask: a DATA message "who" is answered with
// a JSON document of the devices online and the last verdict on each one
// that left (idle-timeout, normal, lifetime-expired, ...).
#pragma once

#include <vigil/messagehandler.h>

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <mutex>

class PresenceRegistry final : public Vigil::MessageHandler
{
public:
    // Bounds the memory of departures: the oldest verdicts are forgotten.
    static constexpr int MaxDepartures = 10000;

    void greeted(Vigil::Session &session) override;
    void received(Vigil::Session &session, QByteArrayView payload) override;
    void closed(Vigil::Session &session, Vigil::CloseReason reason) override;

    QJsonObject toJson() const;

private:
    struct Device
    {
        quint64 conn = 0; // a device that reconnects is its newest connection
        QString peer;
        QDateTime since;
    };
    struct Departure
    {
        QString reason;
        QDateTime at;
    };
    // Network threads call in together: one lock for the two tables.
    mutable std::mutex m_mutex;
    QHash<quint64, QString> m_names;   // connection id -> client name
    QHash<QString, Device> m_online;   // client name -> where, since when
    QHash<QString, Departure> m_gone;  // client name -> last verdict
};
