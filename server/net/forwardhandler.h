// vigild's --mode forward (PROTOCOL.md §8) as a handler on the same API as
// echo and sink: each client gets its own Upstream, opened from the
// client's network thread when the client is opened and closed with it.
// The core's watchdogs, framing, HELLO, PING/PONG and BYE stay where they
// are: only complete DATA payloads reach received(), so nothing else is
// ever forwarded.
#pragma once

#include "messagehandler.h"

namespace Vigil {

class ForwardHandler final : public MessageHandler
{
public:
    void opened(Session &session) override;
    void received(Session &session, QByteArrayView payload) override;
    void closed(Session &session, CloseReason reason) override;
};

} // namespace Vigil
