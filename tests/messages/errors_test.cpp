#define BOOST_TEST_MODULE rtad errors
// A node's "no" (refused, invalid argument) travels as an error of rtad's
// own category, so a client tells it from CAF's errors about the
// connection, and reads as the node's sentence, not as a CAF code.
#include "messages/errors.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/sec.hpp>

using namespace rtad;

namespace {

struct system_with_rtad_errors {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  system_with_rtad_errors() {
    cfg.add_error_category(error_category, render_error);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(an_rtad_error_reads_as_the_nodes_sentence) {
  system_with_rtad_errors s;
  auto e = make_error(errc::refused, "admin refused: wrong secret");
  BOOST_TEST(is_rtad_error(e));
  BOOST_TEST(e.code() == static_cast<std::uint8_t>(errc::refused));
  BOOST_TEST(s.sys->render(e) == "admin refused: wrong secret");
}

BOOST_AUTO_TEST_CASE(an_rtad_error_keeps_its_category_code_and_sentence_across_the_wire) {
  system_with_rtad_errors s;
  auto e = make_error(errc::invalid_argument, "the global floor must be between 0 and 1");
  std::vector<char> buf;
  caf::binary_serializer sink{*s.sys, buf};
  BOOST_REQUIRE(!sink(e));
  caf::error back;
  caf::binary_deserializer source{*s.sys, buf};
  BOOST_REQUIRE(!source(back));
  BOOST_TEST(is_rtad_error(back));
  BOOST_TEST(back.code() == static_cast<std::uint8_t>(errc::invalid_argument));
  BOOST_TEST(s.sys->render(back) == "the global floor must be between 0 and 1");
}

BOOST_AUTO_TEST_CASE(cafs_own_errors_and_no_error_are_not_rtads) {
  BOOST_TEST(!is_rtad_error(caf::make_error(caf::sec::request_timeout)));
  BOOST_TEST(!is_rtad_error(caf::make_error(caf::sec::runtime_error, "refused")));
  BOOST_TEST(!is_rtad_error(caf::error{}));
}
