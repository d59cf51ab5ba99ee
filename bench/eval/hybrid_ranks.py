#!/usr/bin/env python3
"""An experiment, not rtad: the Isolation Forest score combined with two
single-feature tail scores, to measure how much of the gap to the issue's bar
comes from transactions that are odd in one feature only.

An Isolation Forest isolates a transaction that is extreme in one of its
dimensions only when a tree happens to split on that dimension, so a 10x
amount (amount_spike) or a never-used cash-out category
(merchant_category_shift) scores hardly above everyday traffic although the
feature alone ranks them almost perfectly. This script takes the per-
transaction detail of `rtad_replay --detail` and scores each transaction by
the largest of three empirical tail ranks (unsupervised: ranks among all
transactions, no labels):

  - the forest's blended score,
  - |amount_vs_usual| (the user-relative amount, as rtad computes it),
  - novelty_category x population rarity of the category, where population
    rarity = -log10(share of the category among all transactions so far) / 3,
    clipped to [0, 1] (a category the user never used and few people use).

A transaction is flagged when that rank is in the top --flag-share of all
transactions. Writes the CSV `rtad eval --scores` reads.

usage: hybrid_ranks.py STREAM.jsonl DETAIL.csv --out SCORES.csv [--flag-share 0.006] [--with-travel]
"""
import argparse
import bisect
import collections
import csv
import json
import math


def empirical_ranks(values):
    ordered = sorted(values)
    n = len(values)
    return [bisect.bisect_right(ordered, v) / n for v in values]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stream")
    ap.add_argument("detail")
    ap.add_argument("--out", required=True)
    ap.add_argument("--flag-share", type=float, default=0.006)
    ap.add_argument("--with-travel", action="store_true",
                    help="a fourth tail rank: the travel feature (implied speed)")
    args = ap.parse_args()

    counts, total, rarity = collections.Counter(), 0, []
    with open(args.stream, encoding="utf-8") as f:
        for line in f:
            category = json.loads(line)["merchant"]["category"]
            share = counts[category] / total if total else 1.0
            rarity.append(min(1.0, max(0.0, -math.log10(max(share, 1e-6)) / 3)))
            counts[category] += 1
            total += 1

    ids, forest, amount, category, travel = [], [], [], [], []
    with open(args.detail, encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            ids.append(row["transaction_id"])
            forest.append(float(row["score"]))
            amount.append(abs(float(row["amount_vs_usual"])))
            category.append(float(row["novelty_category"]) * rarity[i])
            travel.append(float(row["travel"]))
    ranks = [empirical_ranks(forest), empirical_ranks(amount), empirical_ranks(category)]
    if args.with_travel:
        ranks.append(empirical_ranks(travel))
    combined = [max(r) for r in zip(*ranks)]
    cut = sorted(combined)[int(len(combined) * (1 - args.flag_share))]
    with open(args.out, "w", encoding="utf-8") as out:
        out.write("transaction_id,score,flagged\n")
        for tid, s in zip(ids, combined):
            out.write(f"{tid},{s:.7f},{int(s > cut)}\n")


if __name__ == "__main__":
    main()
