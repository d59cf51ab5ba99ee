#!/usr/bin/env python3
"""rtad's Isolation Forest against scikit-learn's and isotree's (issue 3).

Part (a), speed: the three fit and score the same Gaussian data (d = 8,
100 trees, psi = 256, one thread) in the same run; prints a table.
Part (b), correctness: scikit-learn's breast-cancer data (all benign + 10
malignant, standardised; 10 draws of the malignant rows). rtad's ROC-AUC,
mean over 10 seeds and the draws, must be within 0.02 of scikit-learn's, and
the Spearman rank correlation of the two forests' scores with 1,000 trees
each must exceed 0.95.

rtad runs through bench/rtad_forest_tool (the plain algorithm: no domains,
float splits). Exits 1 when a target is missed, 2 on a usage error.
Run it through bench/run-compare, which makes the virtual environment.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import scipy
import sklearn
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import IsolationForest as SkForest
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

try:
    from isotree import IsolationForest as IsoForest
    ISOTREE_VERSION = version("isotree")  # the module has no __version__
except ImportError:  # isotree builds from source: let part (b) run without it
    IsoForest, ISOTREE_VERSION = None, None

DIMS = 8
TREES = 100
PSI = 256
TRAIN_ROWS = 8192
DATA_SEED = 20260101

# Targets of issue 3 ("Speed and size", "Correctness against the reference").
TARGET_BATCH_US = 1.2
TARGET_ONE_US = 2.5
TARGET_FIT_MS = 1.5
TARGET_SPEEDUP_SKLEARN = 15.0
TARGET_SPEEDUP_ISOTREE = 5.0
TARGET_AUC_GAP = 0.02
TARGET_SPEARMAN = 0.95
AUC_SEEDS = range(10)
MALIGNANT_KEPT = 10
SPEARMAN_TREES = 1000


def best_of(repeat, fn):
    """Fastest of `repeat` runs of fn(), in CPU seconds of this process (all
    its threads): on a shared machine, waiting for a core is nobody's cost.
    The fastest run is the least disturbed one. rtad_forest_tool measures
    itself the same way."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def write_rows(path, rows):
    np.ascontiguousarray(rows, dtype="<f4").tofile(path)


def run_tool(tool, train, dims, trees, psi, seed, repeat, test=None, scores=None):
    cmd = [str(tool), "--train", str(train), "--dims", str(dims), "--trees", str(trees),
           "--psi", str(psi), "--seed", str(seed), "--repeat", str(repeat)]
    if test is not None:
        cmd += ["--test", str(test)]
    if scores is not None:
        cmd += ["--scores", str(scores)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def isotree_forest(trees, seed):
    # The plain algorithm, as close to Liu et al. and to rtad as isotree allows.
    return IsoForest(ntrees=trees, sample_size=PSI, ndim=1, max_depth="auto",
                     missing_action="fail", prob_pick_pooled_gain=0.0,
                     prob_pick_avg_gain=0.0, penalize_range=False,
                     scoring_metric="depth", nthreads=1, random_seed=seed)


def speed(tool, results, args):
    rng = np.random.default_rng(DATA_SEED)
    train = rng.standard_normal((TRAIN_ROWS, DIMS)).astype(np.float32)
    test = rng.standard_normal((args.test_rows, DIMS)).astype(np.float32)
    write_rows(results / "gauss_train.f32", train)
    write_rows(results / "gauss_test.f32", test)
    rows = {}

    # rtad: the tool times itself (fastest of --repeat) without process start.
    r = run_tool(tool, results / "gauss_train.f32", DIMS, TREES, PSI, 42, args.repeat,
                 test=results / "gauss_test.f32")
    rows["rtad"] = {"fit_ms": r["fit_ms"], "batch_us": r["batch_us_per_row"],
                    "one_us": r["one_us_per_row"]}

    sk = SkForest(n_estimators=TREES, max_samples=PSI, random_state=0, n_jobs=1)
    fit_s = best_of(args.repeat, lambda: sk.fit(train))
    batch_s = best_of(args.repeat, lambda: sk.score_samples(test))
    n_one = args.sklearn_one_rows
    one_s = best_of(args.repeat, lambda: [sk.score_samples(test[i:i + 1]) for i in range(n_one)])
    rows[f"scikit-learn {sklearn.__version__}"] = {
        "fit_ms": fit_s * 1e3, "batch_us": batch_s * 1e6 / len(test), "one_us": one_s * 1e6 / n_one}

    if IsoForest is not None and not args.no_isotree:
        iso = isotree_forest(TREES, 0)
        fit_s = best_of(args.repeat, lambda: iso.fit(train))
        batch_s = best_of(args.repeat, lambda: iso.predict(test))
        n_one = args.isotree_one_rows
        one_s = best_of(args.repeat, lambda: [iso.predict(test[i:i + 1]) for i in range(n_one)])
        rows[f"isotree {ISOTREE_VERSION}"] = {
            "fit_ms": fit_s * 1e3, "batch_us": batch_s * 1e6 / len(test),
            "one_us": one_s * 1e6 / n_one}

    rt = rows["rtad"]
    print(f"\n## Speed: d = {DIMS} Gaussian, {TREES} trees, psi = {PSI}, fit on "
          f"{TRAIN_ROWS} rows, {len(test)} rows scored, 1 thread, CPU time, fastest of "
          f"{args.repeat}\n")
    print("| implementation | fit (ms) | batch (µs/row) | one row (µs) | rtad faster, batch | rtad faster, one row |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, v in rows.items():
        print(f"| {name} | {v['fit_ms']:.2f} | {v['batch_us']:.2f} | {v['one_us']:.2f} | "
              f"{v['batch_us'] / rt['batch_us']:.1f}× | {v['one_us'] / rt['one_us']:.1f}× |")

    checks = [
        ("rtad batch scoring ≤ 1.2 µs/row", rt["batch_us"] <= TARGET_BATCH_US,
         f"{rt['batch_us']:.2f} µs/row"),
        ("rtad one row ≤ 2.5 µs", rt["one_us"] <= TARGET_ONE_US, f"{rt['one_us']:.2f} µs"),
        ("rtad fit 100 × 256 ≤ 1.5 ms", rt["fit_ms"] <= TARGET_FIT_MS, f"{rt['fit_ms']:.2f} ms"),
    ]
    for name, v in rows.items():
        if name.startswith("scikit-learn"):
            x = v["batch_us"] / rt["batch_us"]
            checks.append((f"batch ≥ 15× {name}", x >= TARGET_SPEEDUP_SKLEARN, f"{x:.1f}×"))
        if name.startswith("isotree"):
            x = v["batch_us"] / rt["batch_us"]
            checks.append((f"batch ≥ 5× {name}", x >= TARGET_SPEEDUP_ISOTREE, f"{x:.1f}×"))
    return rows, checks


def breast_cancer_subset(draw):
    """All benign rows and 10 malignant ones drawn with seed `draw`, standardised.

    y = 1 for malignant. Which 10 matters a lot (scikit-learn's AUC ranges
    from 0.91 to 0.98 over draws; with the first 10 it is 0.98), so the
    check averages over several draws; their mean is the issue's "about 0.947".
    """
    data = load_breast_cancer()
    malignant = np.flatnonzero(data.target == 0)
    benign = np.flatnonzero(data.target == 1)
    chosen = np.random.default_rng(draw).choice(malignant, MALIGNANT_KEPT, replace=False)
    keep = np.sort(np.concatenate([benign, chosen]))
    x = StandardScaler().fit_transform(data.data[keep]).astype(np.float32)
    y = (data.target[keep] == 0).astype(int)
    return x, y


def correctness(tool, results, args):
    path = results / "wdbc.f32"
    scores_path = results / "wdbc_scores.f64"

    def rtad_scores(x, trees, seed):
        write_rows(path, x)
        run_tool(tool, path, x.shape[1], trees, PSI, seed, 1, scores=scores_path)
        return np.fromfile(scores_path, dtype="<f8")

    def sklearn_scores(x, trees, seed):
        f = SkForest(n_estimators=trees, max_samples=PSI, random_state=seed, n_jobs=1).fit(x)
        return -f.score_samples(x)  # higher = more anomalous, as in rtad

    per_draw = []
    for draw in range(args.draws):
        x, y = breast_cancer_subset(draw)
        sk = [roc_auc_score(y, sklearn_scores(x, TREES, s)) for s in AUC_SEEDS]
        rt = [roc_auc_score(y, rtad_scores(x, TREES, s)) for s in AUC_SEEDS]
        per_draw.append((draw, statistics.fmean(rt), statistics.fmean(sk)))
    rt_mean = statistics.fmean(r for _, r, _ in per_draw)
    sk_mean = statistics.fmean(s for _, _, s in per_draw)
    worst_gap = max(abs(r - s) for _, r, s in per_draw)

    x, y = breast_cancer_subset(0)
    rho = spearmanr(rtad_scores(x, SPEARMAN_TREES, 1), sklearn_scores(x, SPEARMAN_TREES, 0)).statistic
    # The same statistic between two scikit-learn forests: the noise floor.
    rho_sk = spearmanr(sklearn_scores(x, SPEARMAN_TREES, 1),
                       sklearn_scores(x, SPEARMAN_TREES, 0)).statistic

    print(f"\n## Correctness: breast cancer, {int((y == 0).sum())} benign + {int(y.sum())} "
          f"malignant (drawn {args.draws} times), {x.shape[1]} standardised features, "
          f"psi = {PSI}\n")
    print("| malignant draw | rtad ROC-AUC | scikit-learn ROC-AUC | gap |")
    print("|---:|---:|---:|---:|")
    for draw, r, s in per_draw:
        print(f"| {draw} | {r:.4f} | {s:.4f} | {r - s:+.4f} |")
    print(f"| **mean** | **{rt_mean:.4f}** | **{sk_mean:.4f}** | **{rt_mean - sk_mean:+.4f}** |")
    print(f"\nEach AUC is the mean over {len(AUC_SEEDS)} forest seeds ({TREES} trees). "
          f"Spearman ρ of the scores on draw 0 with {SPEARMAN_TREES} trees each: "
          f"rtad vs scikit-learn {rho:.4f}; two scikit-learn seeds {rho_sk:.4f}.")
    checks = [
        (f"ROC-AUC within {TARGET_AUC_GAP} of scikit-learn (mean of {args.draws} draws x "
         f"{len(AUC_SEEDS)} seeds)", abs(rt_mean - sk_mean) <= TARGET_AUC_GAP,
         f"{rt_mean:.4f} vs {sk_mean:.4f}, largest gap of one draw {worst_gap:.4f}"),
        (f"Spearman ρ > {TARGET_SPEARMAN} at {SPEARMAN_TREES} trees", bool(rho > TARGET_SPEARMAN),
         f"{rho:.4f}"),
    ]
    figures = {"per_draw": [{"draw": d, "rtad_auc": r, "sklearn_auc": s} for d, r, s in per_draw],
               "rtad_auc": rt_mean, "sklearn_auc": sk_mean, "spearman": float(rho),
               "spearman_sklearn_vs_sklearn": float(rho_sk)}
    return figures, checks


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tool", required=True, type=Path, help="path of rtad_forest_tool")
    p.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "results",
                   help="where data files and results.json go (default bench/results)")
    p.add_argument("--test-rows", type=int, default=20000, help="rows scored in the speed part")
    p.add_argument("--repeat", type=int, default=10, help="timing rounds; the fastest counts")
    p.add_argument("--sklearn-one-rows", type=int, default=200)
    p.add_argument("--isotree-one-rows", type=int, default=2000)
    p.add_argument("--draws", type=int, default=10,
                   help="draws of the 10 malignant rows in the correctness part")
    p.add_argument("--no-isotree", action="store_true",
                   help="leave isotree out (e.g. with an older scikit-learn)")
    p.add_argument("--skip-speed", action="store_true", help="correctness only")
    p.add_argument("--skip-correctness", action="store_true", help="speed only")
    args = p.parse_args()
    if not args.tool.is_file():
        p.error(f"{args.tool} is not a file: build rtad_forest_tool first")
    args.results.mkdir(parents=True, exist_ok=True)

    with_isotree = IsoForest is not None and not args.no_isotree
    print(f"# rtad vs scikit-learn {sklearn.__version__}"
          + (f" and isotree {ISOTREE_VERSION}" if with_isotree else " (without isotree)")
          + f"; numpy {np.__version__}, scipy {scipy.__version__}, Python {platform.python_version()}")
    print(f"threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    checks, report = [], {}
    if not args.skip_speed:
        report["speed"], c = speed(args.tool, args.results, args)
        checks += c
        if IsoForest is None and not args.no_isotree:
            checks.append(("isotree installed for the comparison", False, "import failed"))
    if not args.skip_correctness:
        report["correctness"], c = correctness(args.tool, args.results, args)
        checks += c

    print("\n## Targets\n")
    for name, ok, value in checks:
        print(f"- {'met   ' if ok else 'MISSED'} {name}: {value}")
    report["checks"] = [{"target": n, "met": bool(ok), "value": v} for n, ok, v in checks]
    (args.results / "compare.json").write_text(json.dumps(report, indent=2))
    missed = [n for n, ok, _ in checks if not ok]
    if missed:
        print(f"\n{len(missed)} of {len(checks)} targets missed", file=sys.stderr)
        return 1
    print(f"\nall {len(checks)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
