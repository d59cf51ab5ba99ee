// `rtad eval`: how well were the produced frauds detected? Everything it
// runs lives in evaluation/.
#include "apps/command.hpp"
#include "evaluation/evaluate.hpp"
#include "evaluation/inputs.hpp"
#include "evaluation/report_format.hpp"
#include "evaluation/stored_results.hpp"
#include "generator/jsonl.hpp"

#include <iostream>
#include <memory>
#include <pqxx/pqxx>

namespace rtad::app {

namespace {

struct eval_cli {
  std::string truth;
  std::string scores;
  std::string pg;
  bool json = false;
  std::int64_t episode_gap_s = eval::eval_options{}.episode_gap_s;
};

int run(const eval_cli& o, const global_options& g) {
  if (o.episode_gap_s <= 0)
    throw usage_error("--episode-gap must be a positive number of seconds");
  std::vector<eval::truth_record> truth;
  std::vector<eval::scored_record> scores;
  std::uint64_t unlabelled = 0;
  try {
    if (!o.truth.empty())
      truth = eval::read_truth_file(o.truth, &unlabelled);
    if (!o.scores.empty()) {
      if (o.truth.empty())
        throw usage_error("--scores needs --truth: a CSV of verdicts carries no ground truth");
      scores = eval::read_scores_file(o.scores);
    } else {
      const auto url = o.pg.empty() ? g.load().pg.url : o.pg;
      pqxx::connection c(url);
      auto stored = eval::read_stored_results(c);
      scores = std::move(stored.scores);
      if (o.truth.empty()) {
        truth = std::move(stored.truth);
        unlabelled = stored.unlabelled;
      }
    }
  } catch (const gen::jsonl_error& e) {
    throw user_error(std::string("--truth ") + e.what());
  } catch (const pqxx::broken_connection& e) {
    throw user_error(std::string("cannot connect to PostgreSQL: ") + e.what());
  }
  if (truth.empty())
    throw user_error("no labelled transactions to judge (is the truth from `rtad produce`?)");

  const auto report = eval::evaluate(truth, scores, {o.episode_gap_s});
  if (o.json) {
    std::cout << eval::to_json(report) << "\n";
    return 0;
  }
  std::cout << eval::to_table(report);
  if (unlabelled)
    std::cout << unlabelled << " transactions without ground truth were skipped\n";
  if (report.missing)
    std::cerr << "rtad eval: warning: " << report.missing
              << " labelled transactions have no verdict yet (still in flight or quarantined)\n";
  return 0;
}

command make_eval(CLI::App& root, const global_options& g) {
  auto* cmd = root.add_subcommand(
    "eval", "judge detection quality against the ground truth of a produced stream");
  auto o = std::make_shared<eval_cli>();
  cmd->footer(
    "Truth: --truth FILE.jsonl (from `rtad produce --out`), else the ground_truth stored with\n"
    "each transaction. Verdicts: --scores FILE.csv (transaction_id,score,flagged), else the\n"
    "node's table `transactions` in PostgreSQL (--pg, default setting pg.url).\n"
    "Precision/recall/F1 use the detector's own flags; PR-AUC (average precision) ranks by\n"
    "score. Per fraud type: that type against all non-fraud. Detection delay: for each\n"
    "episode (one user's fraud of one type, each within --episode-gap of the previous), the\n"
    "number of its fraudulent transactions that passed before the first flag.");
  cmd->add_option("-t,--truth", o->truth, "JSONL stream written by `rtad produce --out`");
  cmd->add_option("--scores", o->scores,
                  "verdicts of another detector: CSV transaction_id,score,flagged");
  cmd->add_option("--pg", o->pg, "PostgreSQL URL of the node's database (default: setting pg.url)");
  cmd->add_flag("--json", o->json, "print JSON instead of tables");
  cmd
    ->add_option("--episode-gap", o->episode_gap_s,
                 "seconds between two frauds of one user and type that still make one episode")
    ->capture_default_str();
  return {cmd, [o, &g] { return run(*o, g); }};
}

} // namespace

RTAD_REGISTER_COMMAND("eval", make_eval);

} // namespace rtad::app
