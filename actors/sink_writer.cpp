#include "actors/sink_writer.hpp"

#include "actors/detail/log.hpp"

#include <caf/all.hpp>

namespace rtad {

namespace {

constexpr std::chrono::hours retention_interval{1};

void retention_if_due(sink_writer_state& st) {
  auto now = std::chrono::steady_clock::now();
  if (!st.retention || now - st.last_retention < retention_interval)
    return;
  st.last_retention = now;
  try {
    if (auto dropped = st.writer->apply_retention())
      log::info("sink", "retention" + log::fields()("dropped_partitions", dropped).str());
  } catch (const std::exception& e) {
    log::warn("sink", std::string("retention failed: ") + e.what());
  }
}

} // namespace

sink_writer_actor::behavior_type
sink_writer(sink_writer_actor::stateful_pointer<sink_writer_state> self, pg_writer_config cfg,
            bool retention) {
  auto& st = self->state;
  st.writer = std::make_unique<pg_writer>(std::move(cfg));
  st.retention = retention;
  st.last_retention = std::chrono::steady_clock::now() - retention_interval;
  return {
    [=](const batch_ref& b) {
      auto& st = self->state;
      write_outcome out;
      auto started = std::chrono::steady_clock::now();
      auto fenced_before = st.writer->fenced_total();
      try {
        // Rows PostgreSQL refuses for good go to quarantine instead of
        // holding up their lane forever; other failures are retried.
        for (const auto& r : st.writer->write_isolating(*b)) {
          ++out.refused;
          log::warn("sink", "row refused by PostgreSQL, quarantined" +
                              log::fields()("partition", r.row->txn.partition)(
                                "offset", r.row->txn.offset)("error", log::quote(r.error))
                                .str());
        }
      } catch (const std::exception& e) {
        st.writer->reset(); // the next attempt reconnects
        out.error = e.what();
        return out;
      }
      out.fenced = st.writer->fenced_total() - fenced_before;
      out.micros = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::steady_clock::now() - started)
                                                .count());
      retention_if_due(st);
      return out;
    },
  };
}

} // namespace rtad
