#define BOOST_TEST_MODULE log lines
// log.format = json: log shippers (Loki, Elasticsearch, CloudWatch) read one
// JSON object per line, each key=value field a member of it.
#include "actors/detail/log.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace rtad;

BOOST_AUTO_TEST_CASE(a_json_line_has_every_field_as_a_member_quotes_and_all) {
  auto message =
    "cannot write batch" + log::fields()("rows", 2000)("lane", 1)(
                             "error", log::quote("server said \"no\" = refused"))("node", "a")
                             .str();
  auto j = nlohmann::json::parse(
    log::json_line("2026-12-05T03:00:00.000Z", log::level::warn, "sink", message));
  BOOST_TEST(j.at("time").get<std::string>() == "2026-12-05T03:00:00.000Z");
  BOOST_TEST(j.at("level").get<std::string>() == "warn");
  BOOST_TEST(j.at("component").get<std::string>() == "sink");
  BOOST_TEST(j.at("message").get<std::string>() == "cannot write batch");
  BOOST_TEST(j.at("rows").get<std::string>() == "2000");
  BOOST_TEST(j.at("lane").get<std::string>() == "1");
  BOOST_TEST(j.at("error").get<std::string>() == "server said \"no\" = refused");
  BOOST_TEST(j.at("node").get<std::string>() == "a");
}

BOOST_AUTO_TEST_CASE(a_message_without_fields_and_control_characters_stay_valid_json) {
  auto j = nlohmann::json::parse(
    log::json_line("t", log::level::info, "node", std::string("started\tnow \x01")));
  BOOST_TEST(j.at("message").get<std::string>() == std::string("started\tnow \x01"));
  BOOST_TEST(j.size() == 4u);
}

BOOST_AUTO_TEST_CASE(the_level_set_drops_the_lines_below_it) {
  log::configure(log::level::warn, log::format::text);
  BOOST_TEST(!log::enabled(log::level::info));
  BOOST_TEST(log::enabled(log::level::error));
  log::configure(log::level::debug, log::format::json);
  BOOST_TEST(log::enabled(log::level::debug));
}
