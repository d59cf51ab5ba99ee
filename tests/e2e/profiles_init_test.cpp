#define BOOST_TEST_MODULE rtad profiles init
// The command as an operator runs it: progress, Ctrl-C, running it again.
#include "../actors/history.hpp"
#include "config/settings.hpp"
#include "db/migrate.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace rtad;
using test::read_all;

namespace {

std::string log_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("rtad-profiles-test-" + std::to_string(getpid()) + "-" + name + ".log"))
    .string();
}

std::vector<std::string> rtad_args(const std::string& url, std::vector<std::string> args) {
  std::vector<std::string> a{RTAD_BINARY, "--set", "pg.url=" + url, "--set", "node.mode=enhanced"};
  a.insert(a.end(), args.begin(), args.end());
  return a;
}

/// 1196 -> "1,196", as the command prints counts.
std::string thousands(long long n) {
  auto s = std::to_string(n);
  for (auto i = static_cast<long long>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

long long checkpoints(const std::string& url) {
  pqxx::connection c(url);
  pqxx::read_transaction r(c);
  return r.exec("select count(*) from user_profiles where checkpoint is not null")[0][0]
    .as<long long>();
}

} // namespace

BOOST_AUTO_TEST_CASE(help_and_a_clear_refusal_in_standard_mode) {
  auto log = log_file("help");
  test::child help({RTAD_BINARY, "profiles", "init", "--help"}, log);
  BOOST_TEST(help.wait_exit(std::chrono::seconds(20)) == 0);
  BOOST_TEST(read_all(log).find("--min-transactions") != std::string::npos);
  auto top = log_file("top");
  test::child root({RTAD_BINARY, "--help"}, top);
  BOOST_TEST(root.wait_exit(std::chrono::seconds(20)) == 0);
  BOOST_TEST(read_all(top).find("profiles") != std::string::npos);
  BOOST_TEST(read_all(top).find("run") != std::string::npos);

  test::scratch_db db("rtad_profiles_standard");
  auto refused = log_file("standard");
  test::child standard(
    {RTAD_BINARY, "--set", "pg.url=" + db.url(), "--set", "node.mode=standard", "profiles", "init"},
    refused);
  BOOST_TEST(standard.wait_exit(std::chrono::seconds(20)) == 1);
  BOOST_TEST(read_all(refused).find("node.mode is standard") != std::string::npos,
             read_all(refused));
}

BOOST_AUTO_TEST_CASE(interrupted_with_ctrl_c_and_run_again_it_finishes_the_rest_only) {
  test::scratch_db db("rtad_profiles_cli");
  {
    pqxx::connection c(db.url());
    db::migrate(c);
  }
  constexpr int users = 1200;
  test::population people(users + 20, 23);
  for (int u = 0; u < users; ++u)
    test::store_history(db.url(), people, u, "user-" + std::to_string(u), 31);
  for (int u = users; u < users + 20; ++u) // too short a history
    test::store_history(db.url(), people, u, "user-" + std::to_string(u), 10);

  auto first_log = log_file("first");
  test::child first(rtad_args(db.url(), {"profiles", "init", "--min-transactions", "30", "--jobs",
                                         "1", "--batch", "2"}),
                    first_log);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (checkpoints(db.url()) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  first.signal(SIGINT);
  BOOST_REQUIRE_EQUAL(first.wait_exit(std::chrono::seconds(30)), 130);
  auto done = checkpoints(db.url());
  auto text = read_all(first_log);
  BOOST_TEST_MESSAGE("after Ctrl-C: " << done << " of " << users);
  BOOST_TEST(done > 0);
  BOOST_TEST(done < users);
  BOOST_TEST(text.find("1,200 users with at least 30 stored transactions") != std::string::npos,
             text);
  BOOST_TEST(text.find("/1,200 users") != std::string::npos, text); // the progress line
  BOOST_TEST(text.find("interrupted: ") != std::string::npos, text);

  auto second_log = log_file("second");
  test::child second(rtad_args(db.url(), {"profiles", "init", "--min-transactions", "30"}),
                     second_log);
  BOOST_REQUIRE_EQUAL(second.wait_exit(std::chrono::seconds(120)), 0);
  text = read_all(second_log);
  BOOST_TEST(text.find(thousands(done) + " have a checkpoint (skipped); building " +
                       thousands(users - done)) != std::string::npos,
             text);
  BOOST_TEST(text.find("built " + thousands(users - done) + " profiles") != std::string::npos,
             text);
  BOOST_TEST(text.find("done in") != std::string::npos, text);
  BOOST_TEST(checkpoints(db.url()) == users);
}
