#!/usr/bin/env python3
"""A one-feature reference detector: the amount against the user's own amounts.

Each transaction's score is the robust z of its log amount against the
user's previous 256 amounts (median and MAD, with a floor on the spread);
a user's first ten transactions score 0. Nothing else is looked at, so a
detector that ranks below this on some stream loses the amount's evidence in
the rest of its features. Past-only: a transaction is judged before it is
learned. Flags nothing (the column is 0): it is a ranking, not a decision.

usage: amount_reference.py STREAM.jsonl [--out SCORES.csv]
"""
import argparse
import bisect
import collections
import json
import math
import sys

WINDOW = 256
MIN_HISTORY = 10
MIN_MAD = 0.05


def robust_z(sorted_logs, x):
    n = len(sorted_logs)
    median = sorted_logs[n // 2]
    mad = sorted(abs(v - median) for v in sorted_logs)[n // 2]
    return (x - median) / max(1.4826 * mad, MIN_MAD)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stream")
    ap.add_argument("--out", default="-", help="CSV file (default: standard output)")
    args = ap.parse_args()
    recent = collections.defaultdict(collections.deque)  # user -> log amounts, oldest first
    ordered = collections.defaultdict(list)              # user -> the same, sorted
    out = sys.stdout if args.out == "-" else open(args.out, "w")
    out.write("transaction_id,score,flagged\n")
    with open(args.stream) as f:
        for line in f:
            if not line.strip():
                continue
            m = json.loads(line)
            user, x = m["user_id"], math.log1p(m["amount"])
            logs, window = ordered[user], recent[user]
            score = abs(robust_z(logs, x)) if len(logs) >= MIN_HISTORY else 0.0
            out.write(f"{m['transaction_id']},{score:.6f},0\n")
            bisect.insort(logs, x)
            window.append(x)
            if len(window) > WINDOW:
                logs.pop(bisect.bisect_left(logs, window.popleft()))
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
