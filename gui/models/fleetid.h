// A fleet's connection ids: one merged table holds the connections of
// several vigild, whose ids each start at 1. The instance's position in
// the fleet goes into the top 16 bits; the low 48 bits stay the vigild's
// own id (what its log and admin API say, what the table shows). A plain
// id (one server) has 0 on top, so local(id) == id there. 2^48 ids is
// 89 years of 100,000 connections a second, so no real id reaches it.
#pragma once

#include <QtGlobal>

namespace Vigil::FleetId {

constexpr int MemberShift = 48;
constexpr quint64 LocalMask = (quint64(1) << MemberShift) - 1;
constexpr int MaxMembers = 0xffff;

constexpr quint64 make(int member, quint64 local)
{
    return (quint64(member + 1) << MemberShift) | (local & LocalMask);
}
// The instance's index in its fleet, -1 for a plain id.
constexpr int member(quint64 id) { return int(id >> MemberShift) - 1; }
constexpr quint64 local(quint64 id) { return id & LocalMask; }

static_assert(member(make(3, 42)) == 3 && local(make(3, 42)) == 42 && member(42) == -1 && local(42) == 42);

} // namespace Vigil::FleetId
