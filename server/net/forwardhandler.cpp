// Forward mode: the handler side of a client's upstream.
#include "forwardhandler.h"

#include "connection.h"
#include "upstream.h"

namespace Vigil {

void ForwardHandler::opened(Session &session)
{
    session.m_connection.openUpstream();
}

void ForwardHandler::received(Session &session, QByteArrayView payload)
{
    if (Upstream *upstream = session.m_connection.upstream())
        upstream->send(payload.data(), size_t(payload.size()), session.m_connection.m_nowNs);
}

// PROTOCOL.md §8: whatever ends the client (FIN, BYE, reset, a watchdog,
// a kick, shutdown) ends its upstream, after what the client sent.
void ForwardHandler::closed(Session &session, CloseReason reason)
{
    Q_UNUSED(reason)
    if (Upstream *upstream = session.m_connection.upstream())
        upstream->finish();
}

} // namespace Vigil
