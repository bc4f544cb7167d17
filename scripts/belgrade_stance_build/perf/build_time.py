"""Benchmark: build wall time and peak memory, real corpus and synthetic corpora.

    python scripts/bench.py [--sizes 1000 10000]

Each measurement runs `belgrade-stance build` in a fresh Python process (cold imports), so the
numbers include start-up. Peak memory is the larger of the biggest single process's peak RSS
and the peak of the summed PSS of the build's whole process tree (its worker processes too).
The import floor is the time to import the libraries the build needs. Synthetic
corpora repeat the five real documents (texts, segments, all passes) under new ids, all in
the train split, so they exercise every stage and check.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


IMPORTS = "import pandas, pyarrow.parquet, pandera.pandas, datasets, spacy, sklearn.metrics, matplotlib.pyplot"
MEASURE = """
import os, resource, subprocess, sys, time

def tree(root):
    parent = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    parent[int(name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo += [c for c, pp in parent.items() if pp == pid and c not in found]
    return found

def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0

t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
peak = 0
while p.poll() is None:
    peak = max(peak, sum(pss(pid) for pid in tree(p.pid)))
    time.sleep(0.05)
err = p.stderr.read()
dt = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
if p.returncode:
    sys.stderr.write(err[-3000:])
print(f"{dt:.3f} {rss:.1f} {peak / 1024:.1f} {p.returncode}")
"""
"""Runs a command; prints its wall time, the largest RSS of any process of it (getrusage), and
the peak of the summed PSS of its whole process tree (parent, forkserver, workers: shared pages
counted once), sampled every 50 ms."""


TARGETS = {1000: (30, 1024), 10000: (200, 1024)}
"""Synthetic corpus size → (seconds, MB of peak memory) the build must stay within on the 2-core machine."""


def measure(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak MB): the peak is the larger of the biggest single process's RSS and
    the whole process tree's summed PSS."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True)
    dt, rss, total, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{out.stderr}")
    return float(dt), max(float(rss), float(total))


def copy_project(root: Path, dst: Path) -> None:
    shutil.copytree(root / "raw", dst / "raw")
    shutil.copy(root / "pyproject.toml", dst / "pyproject.toml")


def synthetic(root: Path, dst: Path, n_docs: int) -> None:
    """A corpus of n_docs documents in the raw format, made by repeating the real ones of root."""
    import csv
    import io

    copy_project(root, dst)
    raw = dst / "raw"
    src_rows = list(csv.DictReader(io.StringIO((root / "raw/metadata.csv").read_text(encoding="utf-8"))))
    for folder in [raw / "texts", raw / "segments", raw / "adjudication", *(raw / "annotations").iterdir()]:
        for p in folder.iterdir():
            p.unlink()
    rows = []
    for i in range(n_docs):
        src = src_rows[i % len(src_rows)]
        doc = f"s{i:05d}"
        name = f"{doc}.txt"
        shutil.copy(root / "raw/texts" / src["source_file"], raw / "texts" / name)
        rows.append({**src, "doc_id": doc, "source_file": name, "split": "train"})

        def swap(text: str) -> str:
            return text.replace(f'"{src["doc_id"]}-', f'"{doc}-')

        for rel in ["segments", "adjudication", "annotations/a", "annotations/b", "annotations/gold"]:
            s = root / "raw" / rel / f"{src['doc_id']}.jsonl"
            if s.exists():
                (raw / rel / f"{doc}.jsonl").write_text(swap(s.read_text(encoding="utf-8")), encoding="utf-8")
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    (raw / "metadata.csv").write_text(out.getvalue(), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    args = ap.parse_args()
    from belgrade_stance_build.layout import find_project

    root = find_project().root
    cli = [sys.executable, "-m", "belgrade_stance.cli", "build", "--root"]
    results = {}
    floor, floor_rss = measure([sys.executable, "-c", IMPORTS])
    print(f"import floor ({IMPORTS[7:]}): {floor:.2f} s, {floor_rss:.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        real = Path(tmp) / "real"
        copy_project(root, real)
        dt, rss = measure([*cli, str(real)])
        sentences = json.loads((real / "data/manifest.json").read_text())["configs"]["sentences"]
        n_sent = sum(v["rows"] for v in sentences.values())
        print(f"real corpus (5 documents, {n_sent} sentences): build {dt:.2f} s = {dt / floor:.2f} × import floor, "
              f"peak memory {rss:.0f} MB   [targets: ≤ 1.5 ×, ≤ 400 MB]")
        results["real"] = (dt, rss)
        for n in args.sizes:
            d = Path(tmp) / f"syn{n}"
            synthetic(root, d, n)
            dt, rss = measure([*cli, str(d)])
            m = json.loads((d / "data/manifest.json").read_text())["configs"]
            n_sent = sum(v["rows"] for v in m["sentences"].values())
            target = TARGETS.get(n)
            verdict = (f"   [targets: ≤ {target[0]} s, ≤ {target[1]} MB: "
                       f"{'met' if dt <= target[0] and rss <= target[1] else 'MISSED'}]") if target else ""
            print(f"synthetic {n:>5} documents ({n_sent} sentences): build {dt:.2f} s, peak memory {rss:.0f} MB, "
                  f"{1000 * (dt - floor) / n:.1f} ms/document above the import floor{verdict}")
            results[n] = (dt, rss)
            shutil.rmtree(d)
    if len(args.sizes) >= 2:
        a, b = sorted(args.sizes)[:2]
        ra = (results[a][0] - floor) / a
        rb = (results[b][0] - floor) / b
        print(f"growth: per-document cost {ra * 1000:.1f} ms at {a}, {rb * 1000:.1f} ms at {b} "
              f"(ratio {rb / ra:.2f}; 1.0 = linear); peak memory {results[a][1]:.0f} MB at {a}, "
              f"{results[b][1]:.0f} MB at {b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
