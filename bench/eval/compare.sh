#!/usr/bin/env bash
# The detection-quality comparison of the README: one produced stream judged
# by `rtad eval` — rtad in enhanced mode, rtad in standard mode, the original
# system's method (PyOD IForest on every batch of 10), and a yardstick of fixed
# rules over user-relative features.
#
# Results go to bench/results/eval-<seed>/ (ignored by git): the stream, the
# verdicts, one JSON report per detector and results.md with the tables.
set -euo pipefail
source "$(cd "$(dirname "$0")/../.." && pwd)/scripts/lib.sh"

usage() {
  cat <<'USAGE'
usage: bench/eval/compare.sh [--count N] [--users N] [--fraud F] [--seed S]
                             [--baseline-limit N] [--modes "enhanced standard"]

  --count N            transactions in the stream (default 1000000)
  --users N            users (default 10000)
  --fraud F            share of fraud, split over the five types (default 0.005)
  --seed S             generator seed (default 1)
  --baseline-limit N   messages the PyOD baseline judges, the stream's last N: it
                       fits a forest per 10 messages, a few hundred messages a
                       second (default 20000)
  --modes LIST         node.mode values to run rtad in (default "enhanced standard")

Needs the services (scripts/services start), a build (scripts/build) and, for
the baseline, Python 3 (pyod is installed into bench/.venv on first use).
USAGE
}

count=1000000 users=10000 fraud=0.005 seed=1 baseline_limit=20000 modes="enhanced standard"
while (($#)); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --count) count="$2"; shift 2 ;;
    --users) users="$2"; shift 2 ;;
    --fraud) fraud="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --baseline-limit) baseline_limit="$2"; shift 2 ;;
    --modes) modes="$2"; shift 2 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

rtad="$RTAD_BUILD/apps/rtad"
[[ -x "$rtad" ]] || die "no $rtad: run scripts/build"
export RTAD_SERVICES_ENV="${RTAD_SERVICES_ENV:-$RTAD_STATE/services.env}"
out="$RTAD_ROOT/bench/results/eval-$seed"
mkdir -p "$out"
results="$out/results.md"

say "producing $count transactions from $users users (seed $seed, fraud $fraud)"
"$rtad" produce --count "$count" --users "$users" --fraud "$fraud" --seed "$seed" \
  --out "$out/stream.jsonl"
{
  echo "# rtad eval: $count transactions, $users users, fraud $fraud, seed $seed"
  echo
} > "$results"

# Appends one detector's table to results.md and keeps its JSON.
record() {
  local title="$1" name="$2"; shift 2
  "$rtad" eval "$@" --json > "$out/$name.json"
  { echo "## $title"; echo; echo '```'; "$rtad" eval "$@"; echo '```'; echo; } >> "$results"
}

# --- rtad itself, in each mode, each on its own topic and database ---------
if "$rtad" node --help >/dev/null 2>&1; then
  admin_url="$(sed -n 's/^RTAD_PG_URL=//p' "$RTAD_SERVICES_ENV")"
  for mode in $modes; do
    db="rtad_bench_${mode}_$$"
    topic="rtad-bench-$mode-$$"
    url="${admin_url%/*}/$db"
    say "rtad in $mode mode (topic $topic, database $db)"
    psql -q "$admin_url" -c "create database $db"
    "$rtad" --set "pg.url=$url" db init
    "$rtad" produce --replay "$out/stream.jsonl" --topic "$topic" --create-topic 6 -q
    "$rtad" --set "pg.url=$url" --set "kafka.topic=$topic" --set "kafka.group=bench-$mode-$$" \
      --set "node.mode=$mode" node > "$out/node-$mode.log" 2>&1 &
    node_pid=$!
    # Scored when every transaction is stored (or nothing moved for a minute).
    last=-1 still=0
    while ((still < 60)); do
      sleep 5
      n="$(psql -tA "$url" -c 'select count(*) from transactions' 2>/dev/null || echo 0)"
      note "$mode: $n of $count scored"
      ((n >= count)) && break
      if ((n == last)); then still=$((still + 5)); else still=0; fi
      last=$n
    done
    kill "$node_pid" && wait "$node_pid" || true
    record "rtad, $mode mode" "rtad-$mode" --truth "$out/stream.jsonl" --pg "$url"
  done
else
  note "rtad has no 'node' command yet: skipping the rtad runs"
fi

# --- the original system's method ------------------------------------------
venv="$RTAD_ROOT/bench/.venv"
if [[ ! -x "$venv/bin/python" ]]; then
  say "installing pyod into bench/.venv"
  python3 -m venv "$venv"
  quiet "$venv/bin/pip" install pyod
fi
say "original method (PyOD IForest per batch of 10) on the last $baseline_limit messages"
# The end of the stream: every user has a history there, as in the rtad runs' steady state.
tail -n "$baseline_limit" "$out/stream.jsonl" > "$out/baseline-stream.jsonl"
"$venv/bin/python" "$RTAD_ROOT/bench/eval/pyod_baseline.py" "$out/baseline-stream.jsonl" \
  --out "$out/pyod.csv"
record "original method: PyOD IForest(contamination=0.1) per batch of 10 (last $baseline_limit messages)" \
  pyod --truth "$out/baseline-stream.jsonl" --scores "$out/pyod.csv"

# --- a yardstick: fixed rules over user-relative features ------------------
say "reference rules over user-relative features"
python3 "$RTAD_ROOT/bench/eval/rules_reference.py" "$out/stream.jsonl" --out "$out/rules.csv"
record "reference: fixed rules over user-relative features (bench/eval/rules_reference.py)" \
  rules --truth "$out/stream.jsonl" --scores "$out/rules.csv"

say "tables in $results"
cat "$results"
