#pragma once

#include <memory>
#include <pqxx/connection>
#include <stdexcept>
#include <string>

namespace rtad {

/// Another live process holds this node id.
struct node_id_taken : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The first half of the two-part advisory key ('rtad' in ASCII): the node
/// id's hash (PostgreSQL's hashtext) is the second. Two-part keys do not
/// meet the one-part key of the migrations.
inline constexpr int node_lock_class = 0x72746164;

/// Claims a node id for the life of the process: a PostgreSQL session-level
/// advisory lock on the id, held on a connection of its own. The server
/// releases it when the session ends, so a node killed with kill -9 (its
/// socket closes) frees its id at once and can be restarted under it, while
/// a heartbeat row in node_status would block the restart until it went
/// stale. TCP keepalives bound how long a vanished host keeps the lock.
class node_lock {
public:
  /// Takes the lock; throws node_id_taken when another session holds it.
  node_lock(const std::string& url, const std::string& node);
  ~node_lock();
  node_lock(const node_lock&) = delete;
  node_lock& operator=(const node_lock&) = delete;

  /// True while the lock is held. After a lost connection (PostgreSQL
  /// restarted) it reconnects and takes the lock again; false only when
  /// another node took the id meanwhile. Unknown (database away) counts as held.
  bool check();

private:
  bool take();

  std::string url_;
  std::string node_;
  std::unique_ptr<pqxx::connection> conn_;
};

} // namespace rtad
