#include "messages/register.hpp"

#include "messages/actors.hpp"

namespace rtad {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<transaction>("rtad::transaction");
  cfg.add_message_type<std::vector<transaction>>("std::vector<rtad::transaction>");
  cfg.add_message_type<scored_transaction>("rtad::scored_transaction");
  cfg.add_message_type<std::vector<scored_transaction>>("std::vector<rtad::scored_transaction>");
  cfg.add_message_type<quarantine_entry>("rtad::quarantine_entry");
  cfg.add_message_type<offset_batch>("rtad::offset_batch");
  cfg.add_message_type<std::vector<offset_batch>>("std::vector<rtad::offset_batch>");
  cfg.add_message_type<profile_checkpoint>("rtad::profile_checkpoint");
  cfg.add_message_type<stored_transaction>("rtad::stored_transaction");
  cfg.add_message_type<label>("rtad::label");
  cfg.add_message_type<profile_restore>("rtad::profile_restore");
  cfg.add_message_type<global_snapshot>("rtad::global_snapshot");
  cfg.add_message_type<stored_rows>("rtad::stored_rows");
  cfg.add_message_type<std::vector<float>>("std::vector<float>");
  cfg.add_message_type<std::vector<std::int32_t>>("std::vector<int32_t>");
  cfg.add_message_type<std::vector<std::int64_t>>("std::vector<int64_t>");
  cfg.add_message_type<std::vector<std::uint8_t>>("std::vector<uint8_t>");
  cfg.add_message_type<global_checkpoint>("rtad::global_checkpoint");
  cfg.add_message_type<profile_info>("rtad::profile_info");
  cfg.add_message_type<node_info>("rtad::node_info");
  cfg.add_message_type<member_info>("rtad::member_info");
  cfg.add_message_type<std::vector<member_info>>("std::vector<rtad::member_info>");
  cfg.add_message_type<member_view>("rtad::member_view");
  cfg.add_message_type<std::vector<member_view>>("std::vector<rtad::member_view>");
  cfg.add_message_type<registry_actor>("rtad::registry_actor");
  cfg.add_message_type<std::vector<double>>("std::vector<double>");
  cfg.add_message_type<std::vector<std::string>>("std::vector<std::string>");
  cfg.add_message_type<shard_actor>("rtad::shard_actor");
  cfg.add_message_type<admin_actor>("rtad::admin_actor");
  cfg.add_message_type<global_model_actor>("rtad::global_model_actor");
}

} // namespace rtad
