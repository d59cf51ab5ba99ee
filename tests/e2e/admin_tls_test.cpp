#define BOOST_TEST_MODULE rtad admin tls
// The admin channel with TLS: certificates from a throwaway CA made with the
// openssl command line; a client needs one from the same CA.
#include "support/node_fixture.hpp"
#include "support/process.hpp"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace rtad;

namespace {

/// Seconds a refused client may take: its --timeout, plus start and exit.
constexpr int client_timeout_s = 10;
constexpr int refusal_slack_s = 10;

/// Runs a shell command; fails the test when it does not exit 0.
void sh(const std::string& cmd) {
  BOOST_REQUIRE_MESSAGE(std::system((cmd + " >/dev/null 2>&1").c_str()) == 0, cmd);
}

/// A CA in `dir`/`name`-ca.{pem,key}.
void make_ca(const std::string& dir, const std::string& name) {
  sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
     " -subj /CN=" +
     name + "-ca -keyout " + dir + "/" + name + "-ca.key -out " + dir + "/" + name + "-ca.pem");
}

/// A certificate `dir`/`name`.{pem,key} from CA `ca`, for both ends of a connection.
void make_cert(const std::string& dir, const std::string& ca, const std::string& name) {
  auto base = dir + "/" + name;
  {
    std::ofstream ext(base + ".ext");
    ext << "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
           "extendedKeyUsage=serverAuth,clientAuth\n";
  }
  sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=" + name +
     " -keyout " + base + ".key -out " + base + ".csr");
  sh("openssl x509 -req -days 1 -in " + base + ".csr -CA " + dir + "/" + ca + "-ca.pem -CAkey " +
     dir + "/" + ca + "-ca.key -CAcreateserial -extfile " + base + ".ext -out " + base + ".pem");
}

/// --set arguments for TLS with `name`'s certificate and CA `ca`.
std::vector<std::string> tls_args(const std::string& dir, const std::string& name,
                                  const std::string& ca) {
  return {"--set", "admin.tls_certificate=" + dir + "/" + name + ".pem",
          "--set", "admin.tls_key=" + dir + "/" + name + ".key",
          "--set", "admin.tls_cafile=" + dir + "/" + ca + "-ca.pem"};
}

struct run_result {
  int code;
  std::string output;
  double seconds;
};

/// Runs rtad with `args` to its end (at most a minute).
run_result run(const std::string& log, const std::vector<std::string>& args) {
  std::vector<std::string> argv{RTAD_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  auto started = std::chrono::steady_clock::now();
  test::child c(argv, log);
  int code = c.wait_exit(std::chrono::seconds(60));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return {code, test::read_all(log), secs};
}

/// `rtad admin --node endpoint ... status` with the global settings `global`.
run_result admin_status(const test::node_fixture& f, const std::string& endpoint,
                        std::vector<std::string> global, const std::string& tag) {
  static int n = 0;
  global.insert(global.begin(), {"--set", "pg.url=" + f.settings.pg.url});
  std::vector<std::string> a = global;
  a.insert(a.end(), {"admin", "--node", endpoint, "--secret", "s3cret", "--json", "--timeout",
                     std::to_string(client_timeout_s), "status"});
  return run("/tmp/" + f.topic + "-" + tag + "-" + std::to_string(n++) + ".out", a);
}

struct pki {
  std::string dir;
  pki() {
    char tmpl[] = "/tmp/rtad-tls-XXXXXX";
    dir = ::mkdtemp(tmpl);
    make_ca(dir, "ours");
    make_ca(dir, "theirs");
    make_cert(dir, "ours", "node");
    make_cert(dir, "ours", "client");
    make_cert(dir, "theirs", "stranger");
    std::ofstream(dir + "/bad.key") << "-----BEGIN PRIVATE KEY-----\nnot a key\n"
                                       "-----END PRIVATE KEY-----\n";
  }
  ~pki() { std::system(("rm -rf " + dir).c_str()); }
};

} // namespace

BOOST_AUTO_TEST_CASE(only_a_client_with_a_certificate_from_the_ca_reaches_a_tls_node) {
  test::node_fixture f("rtad_admin_tls");
  pki certs;
  auto port = std::to_string(20000 + (getpid() + 7) % 20000);
  auto endpoint = "127.0.0.1:" + port;
  auto log = "/tmp/" + f.topic + ".log";
  auto node_extra = tls_args(certs.dir, "node", "ours");
  auto admin = test::admin_args(port);
  node_extra.insert(node_extra.end(), admin.begin(), admin.end());
  test::child node(test::node_args(f.settings, "guarded", node_extra), log);

  // The node may take a moment to publish: a good client retries until --timeout.
  auto ok = admin_status(f, endpoint, tls_args(certs.dir, "client", "ours"), "ok");
  BOOST_REQUIRE_MESSAGE(ok.code == 0, ok.output << "\nnode log: " << log);
  auto status = nlohmann::json::parse(ok.output.substr(ok.output.find('{')));
  BOOST_TEST(status["node"] == "guarded");

  auto plain = admin_status(f, endpoint, {}, "plain");
  BOOST_TEST(plain.code == 1, plain.output);
  BOOST_TEST(plain.output.find("TLS") != std::string::npos, plain.output);
  BOOST_TEST(plain.seconds < client_timeout_s + refusal_slack_s);

  auto stranger = admin_status(f, endpoint, tls_args(certs.dir, "stranger", "theirs"), "stranger");
  BOOST_TEST(stranger.code == 1, stranger.output);
  BOOST_TEST(stranger.output.find("refused this client's certificate") != std::string::npos,
             stranger.output);
  BOOST_TEST(stranger.seconds < client_timeout_s + refusal_slack_s);

  // A stranger's certificate with our CA file: its own certificate does not verify.
  auto mixed = admin_status(f, endpoint, tls_args(certs.dir, "stranger", "ours"), "mixed");
  BOOST_TEST(mixed.code != 0, mixed.output);
  BOOST_TEST(mixed.output.find("does not verify against admin.tls_cafile") != std::string::npos,
             mixed.output);

  // The node still serves its own after the refusals.
  BOOST_TEST(admin_status(f, endpoint, tls_args(certs.dir, "client", "ours"), "again").code == 0);
  BOOST_TEST(node.running(), "see " << log);
}

BOOST_AUTO_TEST_CASE(tls_nodes_join_each_other_over_tls) {
  test::node_fixture f("rtad_admin_tls_join");
  pki certs;
  const int first = 20000 + (getpid() + 11) % 20000, second = first + 1;
  auto start = [&](const std::string& name, int port, std::vector<std::string> join) {
    auto extra = tls_args(certs.dir, "node", "ours");
    auto admin = test::admin_args(std::to_string(port));
    extra.insert(extra.end(), admin.begin(), admin.end());
    extra.insert(extra.end(), join.begin(), join.end());
    auto args = test::node_args(f.settings, name, extra);
    return std::make_unique<test::child>(args, "/tmp/" + f.topic + "-" + name + ".log");
  };
  auto a = start("north", first, {});
  auto b = start("south", second, {"--set", "node.join=127.0.0.1:" + std::to_string(first)});
  auto members = [&] {
    std::vector<std::string> args{"--set", "pg.url=" + f.settings.pg.url};
    auto tls = tls_args(certs.dir, "client", "ours");
    args.insert(args.end(), tls.begin(), tls.end());
    args.insert(args.end(), {"admin", "--node", "127.0.0.1:" + std::to_string(first), "--secret",
                             "s3cret", "--json", "--timeout", "5", "members"});
    return run("/tmp/" + f.topic + "-members.out", args);
  };
  BOOST_TEST(test::eventually(
               [&] {
                 auto r = members();
                 return r.code == 0 && r.output.find("\"south\"") != std::string::npos &&
                        r.output.find("\"alive\"") != std::string::npos;
               },
               std::chrono::seconds(60)),
             members().output << "\nsee /tmp/" << f.topic << "-south.log");
  b->signal(SIGTERM);
  BOOST_TEST(b->wait_exit(std::chrono::seconds(60)) == 0);
  a->signal(SIGTERM);
  BOOST_TEST(a->wait_exit(std::chrono::seconds(60)) == 0);
}

BOOST_AUTO_TEST_CASE(a_node_with_a_bad_key_or_half_the_files_does_not_start) {
  test::node_fixture f("rtad_admin_tls_bad");
  pki certs;
  auto port = std::to_string(20000 + (getpid() + 11) % 20000);
  auto args = test::node_args(f.settings, "badkey",
                              {"--set", "node.admin_port=" + port, "--set",
                               "admin.tls_certificate=" + certs.dir + "/node.pem", "--set",
                               "admin.tls_key=" + certs.dir + "/bad.key", "--set",
                               "admin.tls_cafile=" + certs.dir + "/ours-ca.pem"});
  args.erase(args.begin()); // run() adds the binary
  auto bad = run("/tmp/" + f.topic + "-badkey.out", args);
  BOOST_TEST(bad.code != 0);
  BOOST_TEST(bad.output.find(certs.dir + "/bad.key") != std::string::npos, bad.output);
  BOOST_TEST(bad.output.find("admin.tls_key") != std::string::npos, bad.output);

  // Never CAF's anonymous TLS: a certificate without key and CA is refused.
  auto half = run("/tmp/" + f.topic + "-half.out",
                  {"--set", "pg.url=" + f.settings.pg.url, "--set",
                   "admin.tls_certificate=" + certs.dir + "/node.pem", "--set",
                   "node.admin_port=" + port, "node", "--name", "half"});
  BOOST_TEST(half.code == 2, half.output);
  BOOST_TEST(half.output.find("missing: admin.tls_key admin.tls_cafile") != std::string::npos,
             half.output);
}

BOOST_AUTO_TEST_CASE(a_tls_client_at_a_plain_node_is_told_why) {
  test::node_fixture f("rtad_admin_plain");
  pki certs;
  auto port = std::to_string(20000 + (getpid() + 13) % 20000);
  auto endpoint = "127.0.0.1:" + port;
  auto log = "/tmp/" + f.topic + ".log";
  test::child node(test::node_args(f.settings, "plain", test::admin_args(port)), log);
  // Wait for the plain node with a plain client, then try TLS.
  BOOST_REQUIRE_MESSAGE(admin_status(f, endpoint, {}, "plain-ok").code == 0, "see " << log);
  auto tls = admin_status(f, endpoint, tls_args(certs.dir, "client", "ours"), "tls-at-plain");
  BOOST_TEST(tls.code == 1, tls.output);
  // CAF's OpenSSL module reports cannot_connect_to_node (the client keeps
  // trying until --timeout), or now and then that the peer closed the
  // connection during the handshake; either way the client names the cause.
  BOOST_TEST((tls.output.find("a node without TLS") != std::string::npos ||
              tls.output.find("or it does not use TLS") != std::string::npos),
             tls.output);
  BOOST_TEST(tls.seconds < client_timeout_s + refusal_slack_s);
}
