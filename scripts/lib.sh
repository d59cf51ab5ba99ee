# Shared by every script in scripts/: paths, defaults and small helpers.
# Sourced, never run. Every value can be overridden from the environment so
# two checkouts can run side by side.

RTAD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RTAD_STATE="${RTAD_STATE:-$RTAD_ROOT/.rtad}"          # ignored by git
RTAD_CACHE="${RTAD_CACHE:-$RTAD_STATE/cache}"
RTAD_BUILD="${RTAD_BUILD:-$RTAD_ROOT/build}"
RTAD_BUILD_ASAN="${RTAD_BUILD_ASAN:-$RTAD_ROOT/build-asan}"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$RTAD_ROOT/scripts/kafka/pom.xml")"
KAFKA_JARS="$RTAD_CACHE/kafka-$KAFKA_VERSION/jars"

RTAD_PG_PORT="${RTAD_PG_PORT:-55432}"
RTAD_KAFKA_PORT="${RTAD_KAFKA_PORT:-59092}"
RTAD_KAFKA_CONTROLLER_PORT="${RTAD_KAFKA_CONTROLLER_PORT:-59093}"
RTAD_KAFKA_TOPIC="${RTAD_KAFKA_TOPIC:-transactions}"
RTAD_KAFKA_PARTITIONS="${RTAD_KAFKA_PARTITIONS:-6}"
RTAD_PG_DATABASE="${RTAD_PG_DATABASE:-rtad}"
RTAD_PG_USER="${RTAD_PG_USER:-rtad}"

say()  { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die()  { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command quietly; on failure shows its output and stops.
quiet() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "command failed: $*"
  fi
  rm -f "$log"
}

jobs_for_build() {
  local n
  n="$(nproc 2>/dev/null || echo 2)"
  echo "$n"
}
