#include "evaluation/inputs.hpp"

#include "generator/jsonl.hpp"

#include <cmath>
#include <fstream>
#include <stdexcept>

namespace rtad::eval {

namespace {

constexpr const char* scores_header = "transaction_id,score,flagged";

std::runtime_error line_error(const std::string& path, std::size_t line, const std::string& why) {
  return std::runtime_error(path + ":" + std::to_string(line) + ": " + why);
}

} // namespace

std::vector<truth_record> read_truth_file(const std::string& path, std::uint64_t* unlabelled) {
  gen::jsonl_reader reader(path);
  std::vector<truth_record> out;
  transaction t;
  while (reader.next(t)) {
    if (t.anomalous < 0) {
      if (unlabelled)
        ++*unlabelled;
      continue;
    }
    out.push_back({std::move(t.transaction_id), std::move(t.user_id), t.timestamp, t.anomalous == 1,
                   std::move(t.fraud_type)});
  }
  return out;
}

std::vector<scored_record> read_scores_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open '" + path + "'");
  std::vector<scored_record> out;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (number == 1) {
      if (line != scores_header)
        throw line_error(path, number, std::string("expected the header '") + scores_header + "'");
      continue;
    }
    if (line.empty())
      continue;
    const auto c1 = line.find(',');
    const auto c2 = c1 == std::string::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == std::string::npos || line.find(',', c2 + 1) != std::string::npos)
      throw line_error(path, number, "expected three fields: transaction_id,score,flagged");
    scored_record r;
    r.transaction_id = line.substr(0, c1);
    if (r.transaction_id.empty())
      throw line_error(path, number, "empty transaction_id");
    const auto score_text = line.substr(c1 + 1, c2 - c1 - 1);
    try {
      std::size_t used = 0;
      r.score = std::stod(score_text, &used);
      if (used != score_text.size() || !std::isfinite(r.score))
        throw std::invalid_argument("");
    } catch (const std::exception&) {
      throw line_error(path, number, "score '" + score_text + "' is not a finite number");
    }
    const auto flag = line.substr(c2 + 1);
    if (flag == "1" || flag == "true")
      r.flagged = true;
    else if (flag == "0" || flag == "false")
      r.flagged = false;
    else
      throw line_error(path, number, "flagged '" + flag + "' is not 1, 0, true or false");
    out.push_back(std::move(r));
  }
  if (number == 0)
    throw line_error(path, 1,
                     std::string("empty file; expected the header '") + scores_header + "'");
  return out;
}

} // namespace rtad::eval
