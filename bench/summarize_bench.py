#!/usr/bin/env python3
"""Summarises a models_bench JSON file (run with --benchmark_repetitions)
against issue 3's targets: a Markdown table with the median and the fastest
repetition of every benchmark. Standard library only.

The machine is shared, so other work can only make a run slower: the fastest
repetition is the least disturbed one and is what the targets are checked
against; the median shows how much noise there was. Exits 1 when a target is
missed, 2 on a bad file.
"""

import argparse
import collections
import json
import statistics
import sys

# name -> (figure, unit, target, how the figure is read from a run)
PER_ROW_US = "per_row_us"
TIME_US = "time_us"
TARGETS = {
    "BM_score_batch/100/256": ("batch scoring, 100 trees x psi 256", "µs/row", 1.2, PER_ROW_US),
    "BM_score_one/100/256": ("one row, 100 trees x psi 256", "µs", 2.5, PER_ROW_US),
    "BM_fit/100/256/8192": ("fit 100 trees on psi = 256", "µs", 1500.0, TIME_US),
    "BM_user_fit": ("user model fit, 50 trees x psi 64", "µs", 60.0, TIME_US),
    "BM_user_score_one": ("user model, one row", "µs", 1.0, PER_ROW_US),
    "BM_user_update": ("incremental update, amortised", "µs/txn", 5.0, PER_ROW_US),
}
STATE_BYTES_TARGET = 24 * 1024
UNIT_TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}


def fmt(x):
    """Three significant digits without exponents."""
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def figure(run, how):
    if how == PER_ROW_US:
        return 1e6 / run["items_per_second"]
    return run["cpu_time"] * UNIT_TO_US[run["time_unit"]]


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("json", help="output of models_bench --benchmark_out=FILE")
    args = p.parse_args()
    try:
        with open(args.json) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        print(f"summarize_bench: {e}", file=sys.stderr)
        return 2

    runs = collections.defaultdict(list)
    for b in data["benchmarks"]:
        if b.get("run_type", "iteration") == "iteration":
            runs[b["run_name"]].append(b)
    ctx = data["context"]
    print(f"{ctx.get('date', '')}, {ctx.get('num_cpus')} CPUs at {ctx.get('mhz_per_cpu')} MHz, "
          f"load average {', '.join(f'{x:.2f}' for x in ctx.get('load_avg', []))}; "
          f"{max(len(v) for v in runs.values())} repetitions; CPU time\n")

    print("| benchmark | figure | target | fastest | median | met |")
    print("|---|---|---:|---:|---:|---|")
    missed = []
    for name, (what, unit, target, how) in TARGETS.items():
        if name not in runs:
            missed.append(f"{name}: not run")
            continue
        values = sorted(figure(r, how) for r in runs[name])
        best, median = values[0], statistics.median(values)
        ok = best <= target
        if not ok:
            missed.append(f"{what}: {fmt(best)} {unit} > {target:g} ({best / target:.1f}x)")
        print(f"| `{name}` | {what} | ≤ {target:g} {unit} | {fmt(best)} | {fmt(median)} | "
              f"{'yes' if ok else '**no**'} |")
    state = [r["state_bytes"] for r in runs.get("BM_user_save", []) if "state_bytes" in r]
    if state:
        ok = max(state) <= STATE_BYTES_TARGET
        if not ok:
            missed.append(f"serialized user state: {max(state):.0f} bytes")
        print(f"| `BM_user_save` | serialized user state | ≤ {STATE_BYTES_TARGET:,} bytes | "
              f"{fmt(max(state))} | | {'yes' if ok else '**no**'} |")

    print("\n| benchmark (no target) | fastest | median | per |")
    print("|---|---:|---:|---|")
    for name, rs in runs.items():
        if name in TARGETS:
            continue
        # Whole operations (fits, checkpoints) are timed per call, rows per row.
        how = TIME_US if rs[0]["time_unit"] == "us" else PER_ROW_US
        values = sorted(figure(r, how) for r in rs)
        unit = "µs per call" if how == TIME_US else "µs per row"
        extra = {k: v for k, v in rs[0].items()
                 if k in ("state_bytes", "forest_bytes", "heap_bytes", "refits_per_txn",
                          "flagged_share", "nodes")}
        note = ", ".join(f"{k} {fmt(v)}" for k, v in extra.items())
        print(f"| `{name}` | {fmt(values[0])} | {fmt(statistics.median(values))} | {unit}"
              f"{'; ' + note if note else ''} |")

    if missed:
        print("\nmissed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
