#pragma once
// Atoms of rtad's protocol. CAF 0.17 limits atom text to 10 characters.

#include <caf/atom.hpp>

namespace rtad {

using announce_atom = caf::atom_constant<caf::atom("announce")>;
using assign_atom = caf::atom_constant<caf::atom("assign")>;
using checkpoint_atom = caf::atom_constant<caf::atom("checkpt")>;
using discard_atom = caf::atom_constant<caf::atom("discard")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using enter_atom = caf::atom_constant<caf::atom("enter")>;
using floor_atom = caf::atom_constant<caf::atom("floor")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using freeze_atom = caf::atom_constant<caf::atom("freeze")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using label_atom = caf::atom_constant<caf::atom("label")>;
using leave_atom = caf::atom_constant<caf::atom("leave")>;
using load_atom = caf::atom_constant<caf::atom("load")>;
using members_atom = caf::atom_constant<caf::atom("members")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using profile_atom = caf::atom_constant<caf::atom("profile")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using retrain_atom = caf::atom_constant<caf::atom("retrain")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using threshold_atom = caf::atom_constant<caf::atom("threshold")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using version_atom = caf::atom_constant<caf::atom("version")>;

} // namespace rtad
