#define BOOST_TEST_MODULE evaluation inputs
#include "evaluation/inputs.hpp"
#include "generator/jsonl.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <unistd.h>

using namespace rtad::eval;

namespace {

struct temp_file {
  std::string path;
  temp_file(const std::string& name, const std::string& text)
      : path("/tmp/rtad-eval-test-" + std::to_string(::getpid()) + "-" + name) {
    std::ofstream(path) << text;
  }
  ~temp_file() { std::remove(path.c_str()); }
};

const std::string message =
  R"({"_anomalous":true,"amount":1.5,"currency":"USD","device_info":{"ip_address":"1.2.3.4","type":"desktop"},)"
  R"("fraud_type":"card_testing","location":"US","merchant":{"category":"charity","merchant_id":"M1","name":"X"},)"
  R"("payment_method":"credit_card","timestamp":1767225600,"transaction_id":"t1","transaction_type":"online_purchase","user_id":"u1"})";

std::string error_of(const std::string& csv) {
  temp_file f("scores.csv", csv);
  try {
    read_scores_file(f.path);
  } catch (const std::runtime_error& e) {
    return std::string(e.what()).substr(f.path.size());
  }
  return "no error";
}

} // namespace

BOOST_AUTO_TEST_CASE(truth_comes_from_a_produced_jsonl_file) {
  std::string unlabelled = message;
  unlabelled.replace(unlabelled.find("\"_anomalous\":true,"), 18, "");
  unlabelled.replace(unlabelled.find("\"t1\""), 4, "\"t2\"");
  temp_file f("truth.jsonl", message + "\n" + unlabelled + "\n");
  std::uint64_t skipped = 0;
  auto truth = read_truth_file(f.path, &skipped);
  BOOST_REQUIRE(truth.size() == 1u);
  BOOST_TEST(truth[0].transaction_id == "t1");
  BOOST_TEST(truth[0].anomalous);
  BOOST_TEST(truth[0].fraud_type == "card_testing");
  BOOST_TEST(truth[0].timestamp == 1767225600);
  BOOST_TEST(skipped == 1u);
}

BOOST_AUTO_TEST_CASE(a_bad_truth_line_is_named) {
  temp_file f("bad-truth.jsonl", message + "\nnot json\n");
  BOOST_CHECK_EXCEPTION(read_truth_file(f.path), rtad::gen::jsonl_error,
                        [](const rtad::gen::jsonl_error& e) { return e.line == 2; });
}

BOOST_AUTO_TEST_CASE(verdicts_come_from_csv) {
  temp_file f("good.csv", "transaction_id,score,flagged\nt1,0.93,1\nt2,-0.5,false\n\n");
  auto s = read_scores_file(f.path);
  BOOST_REQUIRE(s.size() == 2u);
  BOOST_TEST(s[0].transaction_id == "t1");
  BOOST_TEST(s[0].score == 0.93);
  BOOST_TEST(s[0].flagged);
  BOOST_TEST(!s[1].flagged);
}

BOOST_AUTO_TEST_CASE(a_bad_csv_line_is_named_with_its_reason) {
  BOOST_TEST(error_of("id,score\n") == ":1: expected the header 'transaction_id,score,flagged'");
  BOOST_TEST(error_of("transaction_id,score,flagged\nt1,high,1\n") ==
             ":2: score 'high' is not a finite number");
  BOOST_TEST(error_of("transaction_id,score,flagged\nt1,0.5,yes\n") ==
             ":2: flagged 'yes' is not 1, 0, true or false");
  BOOST_TEST(error_of("transaction_id,score,flagged\nt1,0.5\n") ==
             ":2: expected three fields: transaction_id,score,flagged");
}
