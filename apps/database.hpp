#pragma once
// Shared by the commands that run a node: the schema must be current first.

#include <string>

namespace rtad::app {

/// Applies the migrations, waiting up to a minute for PostgreSQL to come up;
/// throws user_error saying what to do when it does not.
void prepare_database(const std::string& url);

} // namespace rtad::app
