#pragma once
// How `rtad eval` shows a report: a table for people, JSON for scripts.

#include "evaluation/evaluate.hpp"

#include <string>

namespace rtad::eval {

/// The report as aligned text tables.
std::string to_table(const eval_report& r);

/// The report as one JSON object (stable keys, documented in to_table's headings).
std::string to_json(const eval_report& r);

} // namespace rtad::eval
