#!/usr/bin/env python3
"""Turn Sparkov's transaction CSVs into rtad input streams (stdlib only).

Reads every *.csv in --raw except customers.csv: Sparkov's '|'-separated
files, one (or, from upstream datagen.py, several chunks) per profile, each
row a customer's columns followed by trans_num, trans_date, trans_time,
unix_time, category, amt, is_fraud, merchant, merch_lat, merch_long. Merges
them, sorts by (unix_time, trans_num) and writes into --out:

stream.jsonl  one transaction per line in rtad's input format, no label:
    transaction_id    trans_num
    user_id           cc_num, as a string
    amount            amt
    currency          "USD"
    location          "US"
    timestamp         unix_time (epoch seconds, integer)
    transaction_type  "purchase"
    merchant          {merchant_id: "m" + first 12 hex digits of SHA-1(merchant),
                       name: merchant, category: category}
    payment_method    "card"
    device_info       {type: "Desktop" if category ends in "_net" else
                       "POS Terminal", ip_address: "0.0.0.0"}
  These are exactly the fields messages/codec.cpp knows; the codec accepts
  any non-empty text for the text fields. Keys are written sorted, the byte
  order rtad's own writer uses.

truth.jsonl   the same lines in the same order; the last --judge-share of them
  (by position) also carry "_anomalous" (is_fraud == 1) and, for frauds,
  "fraud_type": "fraud". The first lines carry no label, so `rtad eval`
  counts them as unlabelled and leaves them out: they are the warm-up.

unix_time is checked against trans_date + trans_time read as UTC (Sparkov
computes it from a naive datetime in the local zone, so it is right only when
generated under TZ=UTC). If any row disagrees, the converter says so and uses
trans_date + trans_time as UTC for every row.

Every merchant name in Sparkov's merchants.csv starts with "fraud_"; that is
Sparkov's naming, not a label, and is kept.
"""

import argparse
import calendar
import hashlib
import json
import os
import pathlib
import sys
import time

NEEDED = ("cc_num", "trans_num", "trans_date", "trans_time", "unix_time",
          "category", "amt", "is_fraud", "merchant")
MIN_TS, MAX_TS = 946684800, 4102444800  # messages/codec.hpp: 2000 to 2100


def merchant_id(name):
    return "m" + hashlib.sha1(name.encode()).hexdigest()[:12]


def utc_epoch(day, clock):
    return calendar.timegm(time.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M:%S"))


def read_rows(raw):
    files = sorted(p for p in raw.glob("*.csv") if p.name != "customers.csv")
    if not files:
        sys.exit(f"convert: no transaction CSVs in {raw}")
    rows = []
    for path in files:
        with open(path, newline="", encoding="utf-8") as f:
            header = f.readline().rstrip("\r\n").split("|")
            if header == [""]:
                continue  # an empty chunk from upstream datagen.py
            missing = [c for c in NEEDED if c not in header]
            if missing:
                sys.exit(f"convert: {path}: no column {', '.join(missing)}")
            col = {c: header.index(c) for c in NEEDED + ("ssn",) if c in header}
            for number, line in enumerate(f, start=2):
                line = line.rstrip("\r\n")
                if not line:
                    continue
                cells = line.split("|")
                if len(cells) != len(header):
                    sys.exit(f"convert: {path}:{number}: {len(cells)} fields, "
                             f"header has {len(header)}")
                rows.append({c: cells[i] for c, i in col.items()})
    return rows


def main():
    p = argparse.ArgumentParser(
        description="Merge Sparkov CSVs into rtad's stream.jsonl and truth.jsonl.")
    p.add_argument("--raw", required=True, type=pathlib.Path,
                   help="folder holding Sparkov's output CSVs")
    p.add_argument("--out", required=True, type=pathlib.Path)
    p.add_argument("--judge-share", type=float, default=0.8,
                   help="share of rows, at the end, that carry a label (default 0.8)")
    a = p.parse_args()
    if not 0 < a.judge_share <= 1:
        sys.exit("convert: --judge-share must be in (0, 1]")

    rows = read_rows(a.raw)
    derived = [utc_epoch(r["trans_date"], r["trans_time"]) for r in rows]
    off = sum(1 for r, d in zip(rows, derived) if int(r["unix_time"]) != d)
    if off:
        print(f"convert: unix_time disagrees with trans_date + trans_time (UTC) "
              f"on {off} of {len(rows)} rows; using trans_date + trans_time as UTC",
              file=sys.stderr)
        for r, d in zip(rows, derived):
            r["ts"] = d
    else:
        for r in rows:
            r["ts"] = int(r["unix_time"])

    rows.sort(key=lambda r: (r["ts"], r["trans_num"]))
    ids = set()
    names = {}
    for r in rows:
        if r["trans_num"] in ids:
            sys.exit(f"convert: trans_num {r['trans_num']} appears twice")
        ids.add(r["trans_num"])
        m = merchant_id(r["merchant"])
        if names.setdefault(m, r["merchant"]) != r["merchant"]:
            sys.exit(f"convert: merchant id {m} for two names")
        if not MIN_TS <= r["ts"] < MAX_TS:
            sys.exit(f"convert: timestamp {r['ts']} of {r['trans_num']} is outside 2000-2100")
        if float(r["amt"]) <= 0:
            sys.exit(f"convert: amount {r['amt']} of {r['trans_num']} is not positive")
        if r["is_fraud"] not in ("0", "1"):
            sys.exit(f"convert: is_fraud '{r['is_fraud']}' of {r['trans_num']}")

    judged = round(len(rows) * a.judge_share)
    first_judged = len(rows) - judged
    a.out.mkdir(parents=True, exist_ok=True)
    stream_tmp = a.out / "stream.jsonl.tmp"
    truth_tmp = a.out / "truth.jsonl.tmp"
    dump = lambda o: json.dumps(o, sort_keys=True, separators=(",", ":"))
    frauds = judged_frauds = 0
    with open(stream_tmp, "w", encoding="utf-8") as s, \
         open(truth_tmp, "w", encoding="utf-8") as t:
        for i, r in enumerate(rows):
            o = {
                "transaction_id": r["trans_num"],
                "user_id": str(r["cc_num"]),
                "amount": float(r["amt"]),
                "currency": "USD",
                "location": "US",
                "timestamp": r["ts"],
                "transaction_type": "purchase",
                "merchant": {"merchant_id": merchant_id(r["merchant"]),
                             "name": r["merchant"], "category": r["category"]},
                "payment_method": "card",
                "device_info": {"type": "Desktop" if r["category"].endswith("_net")
                                else "POS Terminal", "ip_address": "0.0.0.0"},
            }
            s.write(dump(o) + "\n")
            fraud = r["is_fraud"] == "1"
            frauds += fraud
            if i >= first_judged:
                judged_frauds += fraud
                o["_anomalous"] = fraud
                if fraud:
                    o["fraud_type"] = "fraud"
            t.write(dump(o) + "\n")
    os.replace(stream_tmp, a.out / "stream.jsonl")
    os.replace(truth_tmp, a.out / "truth.jsonl")

    users = len({r["cc_num"] for r in rows})
    people = len({(r["cc_num"], r.get("ssn")) for r in rows})
    if people != users:
        print(f"convert: {people - users} card numbers are shared by two customers "
              f"(Faker drew the same number); rtad sees them as one user", file=sys.stderr)
    first = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(rows[0]["ts"]))
    last = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(rows[-1]["ts"]))
    judged_from = time.strftime("%Y-%m-%d %H:%M:%S",
                                time.gmtime(rows[first_judged]["ts"])) if judged else "-"
    print(f"rows {len(rows)}, users {users}, frauds {frauds} "
          f"({100.0 * frauds / len(rows):.2f} %), judged rows {judged}, "
          f"judged frauds {judged_frauds}")
    print(f"time {first} .. {last} UTC; labels from {judged_from} (row {first_judged + 1})")


if __name__ == "__main__":
    main()
