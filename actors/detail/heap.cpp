#include "actors/detail/heap.hpp"

#include <fstream>
#include <malloc.h>
#include <unistd.h>

namespace rtad {

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  if (!(statm >> pages >> resident))
    return 0;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

std::size_t release_free_heap() {
  auto before = resident_bytes();
  malloc_trim(0); // also returns whole free pages inside arenas, not only their tops
  auto after = resident_bytes();
  return before > after ? before - after : 0;
}

} // namespace rtad
