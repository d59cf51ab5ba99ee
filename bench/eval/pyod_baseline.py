#!/usr/bin/env python3
"""The original system's detector, as a baseline for `rtad eval`.

The original Python consumer took the stream in batches of 10 messages and,
for every batch, fitted PyOD's IForest(contamination=0.1) on the batch and
predicted the same batch: so exactly one message in ten is flagged, whatever
the traffic. Its features were the message's own numbers; here: amount and
hour of day (UTC). This script replays that method on a JSONL stream written
by `rtad produce --out` and writes the verdicts as the CSV `rtad eval
--scores` reads (transaction_id,score,flagged; score = PyOD's
decision_function, higher is more anomalous).

usage: pyod_baseline.py STREAM.jsonl [--limit N] [--out SCORES.csv]
"""
import argparse
import json
import sys
import time

BATCH = 10            # messages per fit, as the original consumer
CONTAMINATION = 0.1   # the original's setting
SEED = 42             # reproducible forests


def batches(path, limit):
    batch = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if limit and number > limit:
                break
            if not line.strip():
                continue
            try:
                m = json.loads(line)
                row = (m["transaction_id"], float(m["amount"]), (int(m["timestamp"]) // 3600) % 24)
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"{path}:{number}: not a transaction: {e}")
            batch.append(row)
            if len(batch) == BATCH:
                yield batch
                batch = []
    if len(batch) > 1:  # a forest needs at least two rows
        yield batch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stream")
    ap.add_argument("--limit", type=int, default=0, help="only the first N lines (0: all)")
    ap.add_argument("--out", default="-", help="CSV file (default: standard output)")
    args = ap.parse_args()

    import numpy as np
    from pyod.models.iforest import IForest

    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    out.write("transaction_id,score,flagged\n")
    started, done = time.time(), 0
    for batch in batches(args.stream, args.limit):
        x = np.array([[amount, hour] for _, amount, hour in batch], dtype=float)
        model = IForest(contamination=CONTAMINATION, random_state=SEED)
        model.fit(x)
        scores = model.decision_function(x)
        labels = model.predict(x)
        for (tid, _, _), score, label in zip(batch, scores, labels):
            out.write(f"{tid},{score:.6f},{int(label)}\n")
        done += len(batch)
        if done % 10000 == 0:
            rate = done / (time.time() - started)
            print(f"\rpyod baseline: {done:,} messages ({rate:,.0f}/s)", end="", file=sys.stderr)
    print(f"\rpyod baseline: {done:,} messages in {time.time() - started:.0f} s", file=sys.stderr)
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
