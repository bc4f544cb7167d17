"""Benchmark: wall time of the baselines under leave-one-document-out, each in a fresh process.

    python scripts/bench_baselines.py [--repeat N]

For each baseline, a new Python process imports what it needs, loads the model (MiniLM: from
the offline package) and runs every fold of leave-one-document-out with its inner
hyperparameter selection, as scripts/baselines.py does. Printed: the whole process's wall time
(imports and model load included), the LODO part alone, and peak RSS. Targets on the 2-core
reference machine: TF-IDF ≤ 10 s, MiniLM + LR ≤ 90 s (model load included).

Then the full run of scripts/baselines.py for TF-IDF and MiniLM (and the majority baseline):
every protocol (split, leave-one-document-out, leave-one-target-out), the pairwise comparisons
and the holder systems, in one fresh process writing to a temporary folder. Target: ≤ 5 min.
Nothing in the project is written.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

TARGETS = {"tfidf-lr": 10.0, "minilm-lr": 90.0}

CHILD = """
import json, resource, sys, time
start = time.perf_counter()
from belgrade_stance_build.baselines.results import BASELINES, Embeddings, run_lodo
b = BASELINES[{name!r}]
if {name!r} == "minilm-lr":
    Embeddings.model()
loaded = time.perf_counter()
preds, _ = run_lodo(b, None)
end = time.perf_counter()
print(json.dumps({{"rows": len(preds), "setup": loaded - start, "lodo": end - loaded,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


FULL = """
import json, resource, tempfile, time
from pathlib import Path
start = time.perf_counter()
from belgrade_stance_build.baselines.results import run
from belgrade_stance_build.layout import find_project
with tempfile.TemporaryDirectory() as tmp:
    out = run(["majority", "tfidf-lr", "minilm-lr"], Path(tmp), find_project().data, ner=False, quiet=True)
print(json.dumps({{"wall": time.perf_counter() - start, "timings": out["timings"],
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
FULL_TARGET = 300.0


def bench(name: str) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TQDM_DISABLE="1")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD.format(name=name)],
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{name}: failed\n{proc.stderr[-2000:]}")
    return {"wall": wall, **json.loads(proc.stdout.strip().splitlines()[-1])}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=1, help="runs per baseline (the best is reported)")
    args = p.parse_args()
    print(f"machine: {os.cpu_count()} CPU cores; python {sys.version.split()[0]}")
    ok = True
    for name, target in TARGETS.items():
        runs = [bench(name) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["wall"])
        met = best["wall"] <= target
        ok &= met
        print(f"{name:<10} leave-one-document-out, {best['rows']} rows: {best['wall']:.1f} s in all "
              f"(imports + model load {best['setup']:.1f} s, folds {best['lodo']:.1f} s), peak RSS "
              f"{best['rss_mb']:.0f} MB   [target ≤ {target:.0f} s: {'met' if met else 'MISSED'}]"
              + (f"; runs: {', '.join(format(r['wall'], '.1f') for r in runs)} s" if args.repeat > 1 else ""))
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TQDM_DISABLE="1")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", FULL.format()], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"full run: failed\n{proc.stderr[-2000:]}")
    full = json.loads(proc.stdout.strip().splitlines()[-1])
    met = wall <= FULL_TARGET
    ok &= met
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in full["timings"].items())
    print(f"full run (majority, tfidf-lr, minilm-lr; split, lodo, loto; comparisons; holder systems): {wall:.1f} s "
          f"in all, peak RSS {full['rss_mb']:.0f} MB   [target ≤ {FULL_TARGET:.0f} s: {'met' if met else 'MISSED'}]\n"
          f"  {parts}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
