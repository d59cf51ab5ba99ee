#!/usr/bin/env python3
"""Latency from produce to committed row, per transaction.

Inputs (bench/e2e/run writes them):
  CREATE   "partition offset create_time_ms" per message (rtad_e2e timestamps)
  NOTIFY   "epoch_us {json payload}" per committed batch (rtad_e2e listen)
  ROWS     CSV "scored_at_us,kafka_partition,kafka_offset" of the node's
           `transactions` rows (psql \\copy)

Every row of one sink batch has the same scored_at (now() of its
transaction), which the batch's notification carries as scored_at_us (the
sink's writers commit in parallel, so not in the order their transactions
began); the payload's row count checks the pairing. A row's latency is the
arrival of its batch's notification minus its message's CreateTime; the
transaction start (scored_at) minus CreateTime is printed beside it as the
part before the write.

usage: latency.py CREATE NOTIFY ROWS [--since-ms T] [--json]
  --since-ms  only messages produced at or after epoch milliseconds T
"""
import argparse
import bisect
import json
import sys


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100 * (len(sorted_values) - 1)))))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("create")
    ap.add_argument("notify")
    ap.add_argument("rows")
    ap.add_argument("--since-ms", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    created = {}
    with open(args.create) as f:
        for line in f:
            p, o, t = line.split()
            created[(int(p), int(o))] = int(t)

    notes = []
    with open(args.notify) as f:
        for line in f:
            us, payload = line.split(" ", 1)
            note = json.loads(payload)
            notes.append((int(us), note["rows"], note["scored_at_us"]))

    batches = {}
    with open(args.rows) as f:
        next(f)
        for line in f:
            s, p, o = line.strip().split(",")
            batches.setdefault(int(s), []).append((int(p), int(o)))
    # Two writers may begin their transactions in the same microsecond: their
    # notifications then share a scored_at_us, and their rows count for both,
    # committed (conservatively) when the later one did.
    by_start = {}
    for us, n, s in notes:
        by_start.setdefault(s, []).append((us, n))
    if len(batches) != len(by_start):
        sys.exit(f"{len(batches)} batches in the table but {len(by_start)} distinct notifications: "
                 "was the listener started before the node?")
    unknown = sum(1 for s in by_start if s not in batches)
    mismatched = sum(1 for s, ns in by_start.items()
                     if s in batches and len(batches[s]) != sum(n for _, n in ns))
    if unknown or mismatched:
        sys.exit(f"{unknown} notifications name no batch, {mismatched} differ in row count")

    commit_ms, start_ms = [], []
    skip_before = args.since_ms
    for s, ns in by_start.items():
        us = max(u for u, _ in ns)
        for key in batches[s]:
            c = created.get(key)
            if c is None or c < skip_before:
                continue
            commit_ms.append(us / 1000 - c)
            start_ms.append(s / 1000 - c)
    commit_ms.sort()
    start_ms.sort()
    out = {
        "rows": len(commit_ms),
        "batches": len(notes),
        "commit_p50_ms": percentile(commit_ms, 50),
        "commit_p90_ms": percentile(commit_ms, 90),
        "commit_p99_ms": percentile(commit_ms, 99),
        "commit_max_ms": commit_ms[-1] if commit_ms else float("nan"),
        "write_start_p50_ms": percentile(start_ms, 50),
        "write_start_p99_ms": percentile(start_ms, 99),
    }
    if args.json:
        print(json.dumps(out))
    else:
        print("rows %(rows)d in %(batches)d batches; produce -> committed: p50 %(commit_p50_ms).1f ms,"
              " p90 %(commit_p90_ms).1f ms, p99 %(commit_p99_ms).1f ms, max %(commit_max_ms).1f ms;"
              " produce -> batch write start: p50 %(write_start_p50_ms).1f ms, p99 %(write_start_p99_ms).1f ms" % out)


if __name__ == "__main__":
    main()
