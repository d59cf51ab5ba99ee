#!/usr/bin/env bash
# The detection-quality comparison of the README: one produced stream judged
# by `rtad eval` — rtad in enhanced mode, rtad in standard mode, the ablation
# (enhanced features, global forest alone: model.max_user_weight=0), the
# original system's method (PyOD IForest on every batch of 10), and a
# yardstick of fixed rules over user-relative features.
#
# Each rtad run gets its own topic and scratch database, fed the same stream
# with `rtad produce --replay` before the node starts (the node then drains a
# full topic), and both are deleted afterwards unless --keep.
#
# Results go to bench/results/eval-<seed>/ (ignored by git): the stream, the
# node logs, one JSON report per detector and results.md with the tables.
set -euo pipefail
source "$(cd "$(dirname "$0")/../.." && pwd)/scripts/lib.sh"

usage() {
  cat <<'USAGE'
usage: bench/eval/compare.sh [--count N] [--users N] [--fraud F] [--seed S] [--start WHEN]
                             [--stream FILE [--truth FILE]] [--out DIR]
                             [--runs "enhanced standard ablation"] [--set key=value ...]
                             [--baseline-limit N] [--no-baseline] [--no-rules] [--keep]
                             [--nodes N] [--no-key]

  --count N            transactions in the stream (default 1000000)
  --users N            users (default 10000)
  --fraud F            share of fraud, split over the five types (default 0.005)
  --seed S             generator seed (default 1)
  --start WHEN         the stream's first timestamp (default 2026-01-01T00:00:00,
                       UTC; the same seed from another start is another stream)
  --stream FILE        judge this stream (rtad's input format) instead of producing one
  --truth FILE         its ground truth: lines with `_anomalous` (default: the stream)
  --out DIR            results folder (default bench/results/eval-SEED)
  --runs LIST          rtad runs: enhanced, standard, ablation (enhanced mode with
                       model.max_user_weight=0: the global forest over the
                       user-relative features alone) (default: all three)
  --set key=value      an rtad setting for every run (repeatable)
  --baseline-limit N   messages the PyOD baseline judges, the stream's last N: it
                       fits a forest per 10 messages, a few hundred messages a
                       second (default 20000)
  --no-baseline        skip the PyOD baseline
  --no-rules           skip the reference rules
  --keep               keep the runs' topics and databases
  --nodes N            rtad nodes sharing each run's topic (default 1)
  --no-key             produce without keys, as the original system's producer

Needs the services (scripts/services start, or RTAD_SERVICES_ENV), a build
(scripts/build), the Kafka tools in .rtad/cache (to delete topics) and, for the
baseline, Python 3 (pyod is installed into bench/.venv on first use).
USAGE
}

count=1000000 users=10000 fraud=0.005 seed=1 start=2026-01-01T00:00:00 baseline_limit=20000
runs="enhanced standard ablation" baseline=1 rules=1 keep=0 sets=() nodes=1 produce_args=()
stream="" truth="" out=""
while (($#)); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --count) count="$2"; shift 2 ;;
    --users) users="$2"; shift 2 ;;
    --fraud) fraud="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --start) start="$2"; shift 2 ;;
    --stream) stream="$2"; shift 2 ;;
    --truth) truth="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --runs|--modes) runs="$2"; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    --baseline-limit) baseline_limit="$2"; shift 2 ;;
    --no-baseline) baseline=0; shift ;;
    --no-rules) rules=0; shift ;;
    --keep) keep=1; shift ;;
    --nodes) nodes="$2"; shift 2 ;;
    --no-key) produce_args+=(--no-key); shift ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

rtad="${RTAD_BIN:-$RTAD_BUILD/apps/rtad}"  # RTAD_BIN: measure another build
[[ -x "$rtad" ]] || die "no $rtad: run scripts/build"
export RTAD_SERVICES_ENV="${RTAD_SERVICES_ENV:-$RTAD_STATE/services.env}"
[[ -r "$RTAD_SERVICES_ENV" ]] || die "no $RTAD_SERVICES_ENV: run scripts/services start"
admin_url="$(sed -n 's/^RTAD_PG_URL=//p' "$RTAD_SERVICES_ENV")"
bootstrap="$(sed -n 's/^RTAD_KAFKA_BOOTSTRAP=//p' "$RTAD_SERVICES_ENV")"
kafka_jars="${RTAD_KAFKA_JARS:-$(ls -d "$RTAD_STATE"/cache/kafka-*/jars \
  "$(dirname "$RTAD_SERVICES_ENV")"/cache/kafka-*/jars 2>/dev/null | head -n1 || true)}"
out="${out:-$RTAD_ROOT/bench/results/eval-$seed}"
mkdir -p "$out"
results="$out/results.md"
metrics_port="${RTAD_BENCH_METRICS_PORT:-19464}"

if [[ -n "$stream" ]]; then
  [[ -r "$stream" ]] || die "cannot read $stream"
  count="$(grep -c . "$stream")"
  users="$(python3 -c 'import json,sys; print(len({json.loads(l)["user_id"] for l in open(sys.argv[1]) if l.strip()}))' "$stream")"
else
  stream="$out/stream-$count-$users-$fraud-${start//:/}.jsonl"
fi
truth="${truth:-$stream}"
if [[ ! -s "$stream" ]]; then
  say "producing $count transactions from $users users (seed $seed, fraud $fraud)"
  "$rtad" produce --count "$count" --users "$users" --fraud "$fraud" --seed "$seed" \
    --start "$start" --out "$stream" -q
fi
{
  echo "# rtad eval: $(basename "$stream"): $count transactions, $users users"
  echo
  echo "$(date -u +%FT%TZ), $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} > "$results"

# Appends one detector's table to results.md and keeps its JSON.
record() {
  local title="$1" name="$2"; shift 2
  "$rtad" eval "$@" --json > "$out/$name.json"
  { echo "## $title"; echo; echo '```'; "$rtad" eval "$@"; echo '```'; echo; } >> "$results"
}

node_pids=()
created_dbs=() created_topics=()
cleanup() {
  for p in "${node_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  ((keep)) && return
  for db in "${created_dbs[@]}"; do
    psql -q "${admin_url%/*}/postgres" -c "drop database if exists $db" 2>/dev/null || note "could not drop $db"
  done
  if [[ -n "$kafka_jars" ]]; then
    for t in "${created_topics[@]}"; do
      java -cp "$kafka_jars/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
        --delete --topic "$t" >/dev/null 2>&1 || note "could not delete topic $t"
    done
  fi
}
trap cleanup EXIT

# --- rtad itself, each run on its own topic and database -------------------
for run in $runs; do
  case "$run" in
    enhanced) run_sets=(--set node.mode=enhanced); title="rtad, enhanced mode" ;;
    standard) run_sets=(--set node.mode=standard); title="rtad, standard mode" ;;
    ablation) run_sets=(--set node.mode=enhanced --set model.max_user_weight=0)
              title="ablation: global forest over the user-relative features alone (enhanced, model.max_user_weight=0)" ;;
    *) die "unknown run '$run' (enhanced, standard, ablation)" ;;
  esac
  tag="${run}_$$"
  db="rtad_bench_$tag" topic="rtad-bench-${run}-$$"
  url="${admin_url%/*}/$db"
  say "rtad $run (topic $topic, database $db)"
  psql -q "${admin_url%/*}/postgres" -c "create database $db"
  created_dbs+=("$db")
  "$rtad" --set "pg.url=$url" db init >/dev/null
  created_topics+=("$topic")
  "$rtad" produce --replay "$stream" --topic "$topic" --create-topic 6 "${produce_args[@]}" -q
  # Own metrics ports, no admin port: another node may run beside these.
  # Retention far out: the stream spans weeks and must stay whole for eval.
  for i in $(seq "$nodes"); do
    log="$out/node-$run.log"; ((nodes == 1)) || log="$out/node-$run-$i.log"
    "$rtad" --set "pg.url=$url" --set "kafka.topic=$topic" --set "kafka.group=bench-$tag" \
      --set node.admin_port=0 --set "node.metrics_port=$((metrics_port + i - 1))" \
      --set sink.retention_days=36500 "${run_sets[@]}" "${sets[@]}" \
      node --name "bench-$tag-$i" > "$log" 2>&1 &
    node_pids+=($!)
  done
  started=$(date +%s.%N)
  # Scored when every transaction is stored (or nothing moved for a minute).
  last=-1 still=0 n=0
  while ((still < 60)); do
    sleep 5
    for p in "${node_pids[@]}"; do
      kill -0 "$p" 2>/dev/null || die "an rtad node ($run) exited; see $out/node-$run*.log"
    done
    n="$(psql -qAt "$url" -c "select count(*) from transactions" || echo 0)"; n="${n:-0}"
    note "$run: $n of $count stored"
    ((n >= count)) && break
    if ((n == last)); then still=$((still + 5)); else still=0; fi
    last=$n
  done
  seconds="$(echo "$(date +%s.%N) - $started" | bc)"
  load="$(cut -d' ' -f1-3 /proc/loadavg)"
  curl -sf "http://127.0.0.1:$metrics_port/metrics" > "$out/metrics-$run.txt" || true
  for p in "${node_pids[@]}"; do kill -TERM "$p"; done
  for p in "${node_pids[@]}"; do wait "$p" || note "a node ($run) exited non-zero"; done
  node_pids=()
  note "$run: $n stored in $seconds s (load average $load)"
  record "$title" "rtad-$run" --truth "$truth" --pg "$url"
  shared="$(psql -qAt "$url" -c "select count(*) from (select user_id from transactions group by user_id having count(distinct node) > 1) u")"
  { echo "($n transactions stored in ${seconds%.*} s by $nodes node(s), ${produce_args[*]:-keyed}; users scored by more than one node: $shared; load average $load; node logs: node-$run*.log)"; echo; } >> "$results"
done

# --- the original system's method ------------------------------------------
if ((baseline)); then
  venv="$RTAD_ROOT/bench/.venv"
  if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import pyod' 2>/dev/null; then
    say "installing pyod into bench/.venv"
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
    quiet "$venv/bin/pip" install pyod
  fi
  say "original method (PyOD IForest per batch of 10) on the last $baseline_limit messages"
  # The end of the stream: every user has a history there, as in the rtad runs' steady state.
  tail -n "$baseline_limit" "$stream" > "$out/baseline-stream.jsonl"
  tail -n "$baseline_limit" "$truth" > "$out/baseline-truth.jsonl"
  "$venv/bin/python" "$RTAD_ROOT/bench/eval/pyod_baseline.py" "$out/baseline-stream.jsonl" \
    --out "$out/pyod.csv"
  record "original method: PyOD IForest(contamination=0.1) per batch of 10 (last $baseline_limit messages)" \
    pyod --truth "$out/baseline-truth.jsonl" --scores "$out/pyod.csv"
fi

# --- a yardstick: fixed rules over user-relative features ------------------
if ((rules)); then
  say "reference rules over user-relative features"
  python3 "$RTAD_ROOT/bench/eval/rules_reference.py" "$stream" --out "$out/rules.csv"
  record "reference: fixed rules over user-relative features (bench/eval/rules_reference.py)" \
    rules --truth "$truth" --scores "$out/rules.csv"
fi

say "tables in $results"
cat "$results"
