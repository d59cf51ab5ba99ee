#!/usr/bin/env python3
"""Prints the table of bench/eval/workloads from the `rtad eval --json` reports.

usage: workload_table.py RESULTS_DIR WORKLOAD ...

One row per workload and detector (RESULTS_DIR/WORKLOAD/DETECTOR.json):
PR-AUC, best F1 at any threshold, precision / recall / F1 at the detector's
own threshold, and the share of benign surprises flagged where the workload
has them. rtad's rows first, then the references.
"""
import json
import os
import sys

REFERENCES = {
    "standard": "reference: global forest over raw features (standard mode)",
    "rules": "reference: fixed rules over user-relative features",
    "amount": "reference: the user's amount z alone",
    "pyod": "reference: original method, PyOD per batch of 10 (last 20,000)",
}


def fmt(v, digits=3):
    return "–" if v is None else f"{v:.{digits}f}"


def row(workload, detector, r):
    o = r["overall"]
    benign = r.get("benign", {})
    surprises = any(k != "everyday" for k in benign)
    # References that only rank (amount) flag nothing: their decision columns say nothing.
    decides = o["tp"] + o["fp"] > 0
    cells = [workload, REFERENCES.get(detector, detector), fmt(o["pr_auc"]), fmt(o["best_f1"]),
             fmt(o["precision"]) if decides else "–", fmt(o["recall"]) if decides else "–",
             fmt(o["f1"]) if decides else "–",
             f"{100 * r['benign_surprise_fp_rate']:.1f} %" if surprises and decides else "–",
             f"{o['tp'] + o['fn']:,} / {r['judged']:,}"]
    return "| " + " | ".join(cells) + " |"


def order(detector):
    if detector in REFERENCES:
        return (1, list(REFERENCES).index(detector))
    return (0, detector)


def main():
    root, workloads = sys.argv[1], sys.argv[2:]
    print("| workload | detector | PR-AUC | best F1 | precision | recall | F1 | benign surprises flagged | fraud / judged |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for w in workloads:
        folder = os.path.join(root, w)
        detectors = sorted((f[:-5] for f in os.listdir(folder) if f.endswith(".json")), key=order)
        for d in detectors:
            with open(os.path.join(folder, d + ".json")) as f:
                print(row(w, d, json.load(f)))


if __name__ == "__main__":
    main()
