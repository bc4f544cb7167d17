"""Benchmark of the build: the real corpus against the import time of exactly the libraries it loads, then
synthetic corpora of 1,000 and 10,000 documents (or the sizes given) that repeat the real documents, and
whether the cost per document beyond the real corpus stays flat. Each build is `belgrade-stance build`
in a fresh process on a copy of the checkout; peak memory is its peak RSS (the kernel's, not sampled).
python scripts/bench.py [SIZE ...]  (exit 1: a target missed)"""

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

RATIO, LINEAR = 1.3, 1.2
LIMITS = {1000: (45, math.inf), 10000: (400, 1024)}  # documents → (seconds, MB of peak memory)
BUILD = [sys.executable, "-m", "belgrade_stance", "build", "--root"]
PROBE = """
import json, os, sys
from belgrade_stance.cli import main
code = main(["build", "--root", sys.argv[1]])
modules = [m for m in sys.modules if not m.startswith(("belgrade_stance", "__main__"))]
json.dump(modules, open(sys.argv[2], "w"))
os._exit(code)
"""
FLOOR = """
import contextlib, importlib, json, sys
for name in json.load(open(sys.argv[1])):
    with contextlib.suppress(Exception):
        importlib.import_module(name)
"""


def measure(*cmd) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of a command, its output dropped (not its errors); exits if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)  # a build starts no other process: its peak is the tree's
    wall, proc.returncode = time.perf_counter() - start, os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}")
    return wall, usage.ru_maxrss / 1024


def metadata(root: Path) -> list[dict]:
    return pd.read_csv(root / "raw/metadata.csv", dtype=str, keep_default_na=False).to_dict("records")


def checkout(root: Path, dst: Path, n_docs: int = 0) -> Path:
    """A copy of the checkout; with n_docs, its raw/ holds that many documents repeating the real ones."""
    shutil.copytree(root, dst, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", ".*_cache"))
    if not n_docs:
        return dst
    raw, real = dst / "raw", metadata(root)
    for path in [*raw.rglob("*.jsonl"), *(raw / "texts").iterdir()]:
        path.unlink()
    rows = []
    for i in range(n_docs):
        src, doc = real[i % len(real)], f"s{i:05d}"
        shutil.copy(root / "raw/texts" / src["source_file"], raw / "texts" / f"{doc}.txt")
        rows.append({**src, "doc_id": doc, "source_file": f"{doc}.txt", "split": "train"})
        for path in (root / "raw").rglob(f"{src['doc_id']}.jsonl"):  # segments, annotation passes
            text = path.read_text(encoding="utf-8").replace(f'"{src["doc_id"]}-', f'"{doc}-')
            (dst / path.relative_to(root).with_name(f"{doc}.jsonl")).write_text(text, encoding="utf-8")
    pd.DataFrame(rows).to_csv(raw / "metadata.csv", index=False)
    return dst


def check(met: bool, target: str, line: str) -> bool:
    print(f"{line}   [{target}: {'met' if met else 'MISSED'}]")
    return met


def main(sizes: list[int]) -> int:
    root = Path(__file__).resolve().parent.parent
    print(
        f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.2f}, Python", sys.version.split()[0]
    )
    with tempfile.TemporaryDirectory() as tmp:
        real, modules = checkout(root, Path(tmp) / "real"), Path(tmp) / "modules.json"
        measure(sys.executable, "-c", PROBE, real, modules)
        runs = [(measure(*BUILD, real), measure(sys.executable, "-c", FLOOR, modules)[0]) for _ in range(3)]
        (build, peak), floor = min(b for b, _ in runs), min(f for _, f in runs)
        names = json.loads(modules.read_text())
        packages = ", ".join(
            sorted({n.split(".")[0] for n in names if n[0] != "_"} - sys.stdlib_module_names)
        )
        print(f"import floor: {floor:.2f} s for the {len(names)} modules a build loads ({packages})")
        line = f"real corpus: build {build:.2f} s = {build / floor:.2f} × the floor, peak {peak:.0f} MB"
        ok = check(build <= RATIO * floor, f"≤ {RATIO} ×", f"{line} (best of 3)")
        per_doc = []
        for n in sizes:
            wall, peak = measure(*BUILD, checkout(root, Path(tmp) / f"synthetic-{n}", n))
            per_doc.append((wall - build) / (n - len(metadata(root))))
            seconds, mb = LIMITS.get(n, (math.inf, math.inf))
            line = f"{n} documents: build {wall:.1f} s, peak {peak:.0f} MB"
            line += f", {1000 * per_doc[-1]:.1f} ms per document beyond the real corpus"
            ok &= check(wall <= seconds and peak <= mb, f"≤ {seconds} s, ≤ {mb} MB", line)
            shutil.rmtree(Path(tmp) / f"synthetic-{n}")
    growth = per_doc[-1] / per_doc[0]
    line = f"growth of that cost to {sizes[-1]}: {growth:.2f} ×"
    ok &= check(0 < growth <= LINEAR, f"linear: ≤ {LINEAR} ×", line)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sorted(int(a) for a in sys.argv[1:]) or list(LIMITS)))
