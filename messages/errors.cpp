#include "messages/errors.hpp"

#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace rtad {

caf::error make_error(errc code, std::string why) {
  return {static_cast<std::uint8_t>(code), error_category, caf::make_message(std::move(why))};
}

bool is_rtad_error(const caf::error& e) {
  return e && e.category() == error_category;
}

std::string render_error(std::uint8_t code, caf::atom_value, const caf::message& context) {
  if (context.match_elements<std::string>())
    return context.get_as<std::string>(0);
  return "rtad error " + std::to_string(code);
}

} // namespace rtad
