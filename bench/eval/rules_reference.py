#!/usr/bin/env python3
"""A transparent reference detector: fixed rules over user-relative features.

Not a model to deploy: a yardstick showing how separable a produced stream is
for anything that knows each user's history, and a sanity check of the
generator (if these few rules can find a fraud type, the signal is there).
Each transaction is scored against what the user did before it (the rules
learn from every transaction, fraud included, as an unsupervised detector
would):

  amount far above (or below) the user's log-normal   0.6 per sd beyond 2 (0.3 beyond 2.5 below)
  a country / device type / category never used       0.4 / 0.4 / 0.7, +0.5 for country and device together
  that category is rare in the whole population       +0.8 (cash-out merchants)
  other transactions of the user in the last 10 min   0.25 each beyond the first
  another country within the hour                      1.5

Flagged at a score of 1.2. Writes the CSV `rtad eval --scores` reads.

usage: rules_reference.py STREAM.jsonl [--out SCORES.csv]
"""
import argparse
import collections
import json
import math
import sys

MIN_HISTORY = 10            # transactions before a user is judged at all
MIN_SD = 0.15               # log-space floor for a user's spread
BURST_WINDOW_S = 600
QUICK_MOVE_S = 3600
RARE_CATEGORY_SHARE = 0.01
FLAG_AT = 1.2


class User:
    def __init__(self):
        self.n, self.s, self.ss = 0, 0.0, 0.0
        self.countries, self.devices, self.categories = set(), set(), set()
        self.recent = collections.deque()
        self.last = None  # (timestamp, country)


def score(u, m, category_share):
    if u.n < MIN_HISTORY:
        return 0.0
    ts, a = m["timestamp"], math.log(m["amount"])
    mean = u.s / u.n
    sd = max(MIN_SD, math.sqrt(max(0.0, u.ss / u.n - mean * mean)))
    z = (a - mean) / sd
    new_country = m["location"] not in u.countries
    new_device = m["device_info"]["type"] not in u.devices
    new_category = m["merchant"]["category"] not in u.categories
    s = max(0.0, z - 2.0) * 0.6 + max(0.0, -z - 2.5) * 0.3
    s += 0.4 * new_country + 0.4 * new_device + 0.7 * new_category
    s += 0.5 * (new_country and new_device)
    s += 0.8 * (new_category and category_share < RARE_CATEGORY_SHARE)
    while u.recent and ts - u.recent[0] > BURST_WINDOW_S:
        u.recent.popleft()
    s += 0.25 * max(0, len(u.recent) - 1)
    if u.last and u.last[1] != m["location"] and ts - u.last[0] < QUICK_MOVE_S:
        s += 1.5
    return s


def learn(u, m):
    a = math.log(m["amount"])
    u.n, u.s, u.ss = u.n + 1, u.s + a, u.ss + a * a
    u.countries.add(m["location"])
    u.devices.add(m["device_info"]["type"])
    u.categories.add(m["merchant"]["category"])
    u.recent.append(m["timestamp"])
    u.last = (m["timestamp"], m["location"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stream")
    ap.add_argument("--out", default="-", help="CSV file (default: standard output)")
    args = ap.parse_args()
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    out.write("transaction_id,score,flagged\n")
    users = collections.defaultdict(User)
    categories, total = collections.Counter(), 0
    with open(args.stream, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                m = json.loads(line)
                u = users[m["user_id"]]
                share = categories[m["merchant"]["category"]] / total if total else 1.0
                s = score(u, m, share)
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"{args.stream}:{number}: not a transaction: {e}")
            out.write(f"{m['transaction_id']},{s:.4f},{int(s >= FLAG_AT)}\n")
            learn(u, m)
            categories[m["merchant"]["category"]] += 1
            total += 1
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
