"""Benchmark: belgrade_stance.load("stance") to pandas (with its default integrity check, and
without) next to pandas.read_parquet of the same files, measured side by side in one run
(interleaved, best of N), and the time of datasets.load_dataset(DIR, "stance") on a fresh
cache (a new cache folder per run).

    python scripts/bench_load.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


LOAD_DATASET = """
import sys, time
t = time.perf_counter()
from datasets import load_dataset
t_import = time.perf_counter() - t
t = time.perf_counter()
ds = load_dataset(sys.argv[1], "stance")
print(f"{t_import:.3f} {time.perf_counter() - t:.3f} {sum(d.num_rows for d in ds.values())}")
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    import pandas as pd

    import belgrade_stance
    from belgrade_stance.paths import packaged_data_dir, split_file

    data = packaged_data_dir()
    splits = belgrade_stance.splits("stance")
    files = [split_file(data, "stance", s) for s in splits]
    belgrade_stance.load("stance")  # warm the OS cache and imports for both sides
    pd.read_parquet(files[0])
    checked, unchecked, theirs = [], [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        belgrade_stance.load("stance")  # the default: every file checked against the manifest's sha256
        checked.append(time.perf_counter() - t)
        t = time.perf_counter()
        belgrade_stance.load("stance", verify=False)
        unchecked.append(time.perf_counter() - t)
        t = time.perf_counter()
        [pd.read_parquet(f) for f in files]
        theirs.append(time.perf_counter() - t)
    base, base_median = min(theirs), statistics.median(theirs)
    print(f"stance, all {len(files)} splits, best of {args.repeat} (median):")
    for label, runs in (("belgrade_stance.load(\"stance\")              ", checked),
                        ("belgrade_stance.load(\"stance\", verify=False)", unchecked),
                        ("pandas.read_parquet (same files)            ", theirs)):
        print(f"  {label} {min(runs) * 1000:7.2f} ms ({statistics.median(runs) * 1000:.2f})")
    print(f"  ratio, checked load / read_parquet: {min(checked) / base:.2f} (median "
          f"{statistics.median(checked) / base_median:.2f})   [target: ≤ 1.3]")

    from belgrade_stance_build.layout import find_project

    root = find_project().root
    with tempfile.TemporaryDirectory() as tmp:
        hub = Path(tmp) / "hub"
        subprocess.run([sys.executable, "-m", "belgrade_stance.cli", "publish", "--root", str(root), "--out", str(hub)],
                       check=True, capture_output=True, cwd=root)
        env = {**os.environ, "HF_HOME": str(Path(tmp) / "hf"), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
        out = subprocess.run([sys.executable, "-c", LOAD_DATASET, str(hub)], capture_output=True, text=True,
                             env=env, check=True)
        t_import, t_load, rows = out.stdout.split()
        print(f"datasets.load_dataset(DIR, \"stance\"), fresh cache: {float(t_load):.2f} s for {rows} rows "
              f"(plus {float(t_import):.2f} s to import datasets)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
