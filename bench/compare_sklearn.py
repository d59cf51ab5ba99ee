#!/usr/bin/env python3
"""rtad's Isolation Forest against scikit-learn's and isotree's (issue 3).

Part (a), speed: the three fit and score the same Gaussian data (d = 8,
100 trees, psi = 256, one thread) in the same run; prints a table.
Part (b), correctness: scikit-learn's breast-cancer data (all benign + the
first 10 malignant, standardised). ROC-AUC of rtad's mean over 10 seeds must
be within 0.02 of scikit-learn's, and the Spearman rank correlation of the
two forests' scores with 1,000 trees each must exceed 0.95.

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
    import isotree
    from isotree import IsolationForest as IsoForest
except ImportError:  # isotree builds from source: let part (b) run without it
    isotree = None

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
    """Fastest of `repeat` runs of fn(), in seconds: the least disturbed one."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
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

    if isotree is not None:
        iso = isotree_forest(TREES, 0)
        fit_s = best_of(args.repeat, lambda: iso.fit(train))
        batch_s = best_of(args.repeat, lambda: iso.predict(test))
        n_one = args.isotree_one_rows
        one_s = best_of(args.repeat, lambda: [iso.predict(test[i:i + 1]) for i in range(n_one)])
        rows[f"isotree {isotree.__version__}"] = {
            "fit_ms": fit_s * 1e3, "batch_us": batch_s * 1e6 / len(test),
            "one_us": one_s * 1e6 / n_one}

    rt = rows["rtad"]
    print(f"\n## Speed: d = {DIMS} Gaussian, {TREES} trees, psi = {PSI}, fit on "
          f"{TRAIN_ROWS} rows, {len(test)} rows scored, 1 thread, fastest of {args.repeat}\n")
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


def breast_cancer_subset():
    """All benign rows and the first 10 malignant ones, standardised; y = 1 for malignant."""
    data = load_breast_cancer()
    malignant = np.flatnonzero(data.target == 0)[:MALIGNANT_KEPT]
    benign = np.flatnonzero(data.target == 1)
    keep = np.sort(np.concatenate([benign, malignant]))
    x = StandardScaler().fit_transform(data.data[keep]).astype(np.float32)
    y = (data.target[keep] == 0).astype(int)
    return x, y


def correctness(tool, results, args):
    x, y = breast_cancer_subset()
    path = results / "wdbc.f32"
    write_rows(path, x)
    scores_path = results / "wdbc_scores.f64"
    dims = x.shape[1]

    def rtad_scores(trees, seed):
        run_tool(tool, path, dims, trees, PSI, seed, 1, scores=scores_path)
        return np.fromfile(scores_path, dtype="<f8")

    def sklearn_scores(trees, seed):
        f = SkForest(n_estimators=trees, max_samples=PSI, random_state=seed, n_jobs=1).fit(x)
        return -f.score_samples(x)  # higher = more anomalous, as in rtad

    sk_auc = [roc_auc_score(y, sklearn_scores(TREES, s)) for s in AUC_SEEDS]
    rt_auc = [roc_auc_score(y, rtad_scores(TREES, s)) for s in AUC_SEEDS]
    rho = spearmanr(rtad_scores(SPEARMAN_TREES, 1), sklearn_scores(SPEARMAN_TREES, 0)).statistic
    # The same statistic between two scikit-learn forests: the noise floor.
    rho_sk = spearmanr(sklearn_scores(SPEARMAN_TREES, 1), sklearn_scores(SPEARMAN_TREES, 0)).statistic

    sk_mean, rt_mean = statistics.fmean(sk_auc), statistics.fmean(rt_auc)
    print(f"\n## Correctness: breast cancer, {int((y == 0).sum())} benign + {int(y.sum())} "
          f"malignant, {dims} standardised features, psi = {PSI}\n")
    print("| figure | rtad | scikit-learn | target |")
    print("|---|---:|---:|---|")
    print(f"| ROC-AUC, mean of 10 seeds ({TREES} trees) | {rt_mean:.4f} | {sk_mean:.4f} | "
          f"gap ≤ {TARGET_AUC_GAP} (gap {abs(rt_mean - sk_mean):.4f}) |")
    print(f"| ROC-AUC, min–max over seeds | {min(rt_auc):.4f}–{max(rt_auc):.4f} | "
          f"{min(sk_auc):.4f}–{max(sk_auc):.4f} | |")
    print(f"| Spearman ρ of scores, {SPEARMAN_TREES} trees each | {rho:.4f} | "
          f"{rho_sk:.4f} (two sklearn seeds) | > {TARGET_SPEARMAN} |")
    checks = [
        (f"ROC-AUC within {TARGET_AUC_GAP} of scikit-learn",
         abs(rt_mean - sk_mean) <= TARGET_AUC_GAP, f"{rt_mean:.4f} vs {sk_mean:.4f}"),
        (f"Spearman ρ > {TARGET_SPEARMAN} at {SPEARMAN_TREES} trees", rho > TARGET_SPEARMAN,
         f"{rho:.4f}"),
    ]
    figures = {"rtad_auc": rt_auc, "sklearn_auc": sk_auc, "spearman": rho,
               "spearman_sklearn_vs_sklearn": rho_sk}
    return figures, checks


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tool", required=True, type=Path, help="path of rtad_forest_tool")
    p.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "results",
                   help="where data files and results.json go (default bench/results)")
    p.add_argument("--test-rows", type=int, default=20000, help="rows scored in the speed part")
    p.add_argument("--repeat", type=int, default=5, help="timing rounds; the fastest counts")
    p.add_argument("--sklearn-one-rows", type=int, default=200)
    p.add_argument("--isotree-one-rows", type=int, default=2000)
    p.add_argument("--skip-speed", action="store_true", help="correctness only")
    p.add_argument("--skip-correctness", action="store_true", help="speed only")
    args = p.parse_args()
    if not args.tool.is_file():
        p.error(f"{args.tool} is not a file: build rtad_forest_tool first")
    args.results.mkdir(parents=True, exist_ok=True)

    print(f"# rtad vs scikit-learn {sklearn.__version__}"
          + (f" and isotree {isotree.__version__}" if isotree else " (isotree missing)")
          + f"; numpy {np.__version__}, scipy {scipy.__version__}, Python {platform.python_version()}")
    print(f"threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    checks, report = [], {}
    if not args.skip_speed:
        report["speed"], c = speed(args.tool, args.results, args)
        checks += c
        if isotree is None:
            checks.append(("isotree installed for the comparison", False, "import failed"))
    if not args.skip_correctness:
        report["correctness"], c = correctness(args.tool, args.results, args)
        checks += c

    print("\n## Targets\n")
    for name, ok, value in checks:
        print(f"- {'met   ' if ok else 'MISSED'} {name}: {value}")
    report["checks"] = [{"target": n, "met": ok, "value": v} for n, ok, v in checks]
    (args.results / "compare.json").write_text(json.dumps(report, indent=2))
    missed = [n for n, ok, _ in checks if not ok]
    if missed:
        print(f"\n{len(missed)} of {len(checks)} targets missed", file=sys.stderr)
        return 1
    print(f"\nall {len(checks)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
