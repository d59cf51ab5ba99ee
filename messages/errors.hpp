#pragma once
// rtad's own errors, in their own CAF category ("rtad"), so that a client
// tells a node's answer ("refused", "invalid argument") from CAF's errors
// about the connection (timeouts, lost peers), which mean "try another node".

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <cstdint>
#include <string>

namespace rtad {

enum class errc : std::uint8_t {
  refused = 1,      ///< the node will not do it for this caller (no or wrong secret)
  invalid_argument, ///< the request itself is wrong (e.g. a threshold outside 0..1)
  handover_overran, ///< a revocation could not store what was read in time
};

constexpr caf::atom_value error_category = caf::atom("rtad");

/// An error of the rtad category carrying `why`, the sentence a user reads.
caf::error make_error(errc code, std::string why);

/// Whether `e` is one of rtad's errors (the node answered, and said no).
bool is_rtad_error(const caf::error& e);

/// `why` alone: how an rtad error reads (registered with every actor system).
std::string render_error(std::uint8_t code, caf::atom_value category, const caf::message& context);

} // namespace rtad
