#include "actors/detail/profile_bootstrap.hpp"

#include "actors/detail/convert.hpp"
#include "actors/detail/pg_writer.hpp"
#include "actors/detail/rebuild.hpp"
#include "actors/profile_store.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

namespace rtad {

namespace {

/// One worker: takes batches until none is left, the switch is off, or another failed.
void work(const bootstrap_config& cfg, const std::vector<std::string>& users,
          std::atomic<std::size_t>& next_batch, bootstrap_control& ctl, std::atomic<bool>& failed) {
  pqxx::connection reader(cfg.url);
  pg_writer writer({cfg.url, cfg.writer, "", "", true, 0});
  for (;;) {
    if (ctl.stop || failed)
      return;
    auto first = next_batch.fetch_add(1) * cfg.users_per_batch;
    if (first >= users.size())
      return;
    std::vector<std::string> batch(users.begin() + static_cast<std::ptrdiff_t>(first),
                                   users.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                     users.size(), first + cfg.users_per_batch)));
    // Without rebuild these users have no checkpoint; with it, an existing
    // one must not be the starting point.
    auto restores = load_profiles(reader, batch, cfg.catch_up_limit, false);
    std::vector<profile_checkpoint> checkpoints;
    write_batch b;
    std::size_t learned = 0;
    for (auto& [user, r] : restores) {
      learned += r.catch_up.size();
      auto rebuilt = rebuild_profile(cfg.params, r);
      checkpoints.push_back(checkpoint_of(user, rebuilt.model));
      b.applied_labels.insert(b.applied_labels.end(), rebuilt.applied_labels.begin(),
                              rebuilt.applied_labels.end());
    }
    for (const auto& c : checkpoints)
      b.checkpoints.push_back(&c);
    b.keep_stored_checkpoints = !cfg.rebuild;
    writer.write(b);
    ctl.built += batch.size();
    ctl.transactions += learned;
  }
}

} // namespace

bootstrap_plan plan_bootstrap(const bootstrap_config& cfg) {
  pqxx::connection c(cfg.url);
  pqxx::read_transaction r(c);
  bootstrap_plan plan;
  for (const auto& row : r.exec_params(
         "select t.user_id, p.user_id is not null from (select user_id from transactions"
         " group by user_id having count(*) >= $1) t left join user_profiles p"
         " on p.user_id = t.user_id and p.checkpoint is not null order by t.user_id",
         static_cast<std::int64_t>(cfg.min_transactions))) {
    ++plan.eligible;
    bool done = row[1].as<bool>();
    plan.already_done += done;
    if (!done || cfg.rebuild)
      plan.users.push_back(row[0].as<std::string>());
  }
  return plan;
}

void run_bootstrap(const bootstrap_config& cfg, const std::vector<std::string>& users,
                   bootstrap_control& ctl) {
  std::atomic<std::size_t> next_batch{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  std::vector<std::thread> workers;
  auto jobs = std::max<std::size_t>(1, cfg.jobs);
  for (std::size_t i = 0; i < jobs; ++i)
    workers.emplace_back([&] {
      try {
        work(cfg, users, next_batch, ctl, failed);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error)
          first_error = std::current_exception();
        failed = true;
      }
    });
  for (auto& w : workers)
    w.join();
  if (first_error)
    std::rethrow_exception(first_error);
}

} // namespace rtad
