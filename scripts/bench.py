"""Benchmark of the build: the real corpus against the import time of the libraries it loads,
synthetic corpora of 1,000 and 10,000 documents, and whether build time grows linearly.

    python scripts/bench.py                          # real corpus, then 1,000 and 10,000 documents
    python scripts/bench.py --sizes 50               # a quick run
    python scripts/bench.py --sizes --load           # real corpus; load() against pandas.read_parquet
    python scripts/bench.py --sizes --baselines      # real corpus; a full run of three baselines

Every build is `belgrade-stance build --root DIR` in a fresh process (start-up and imports
included) on a copy of the checkout in a temporary folder; nothing in the project is written.
Peak memory is the larger of the biggest single process's peak RSS and the peak of the summed
PSS of the whole process tree, sampled every 50 ms. The import floor is a fresh process that
imports exactly the modules a build of the real corpus loaded (all but the project's own).
Synthetic corpora repeat the real documents (texts, segments, every annotation pass) under new
ids, all in the train split, so they go through every stage and check. Time is linear in
documents when the cost per document beyond the real corpus's build stays the same as the
corpus grows. Exit code 1 if a target is missed.
"""

import argparse
import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

if __name__ != "__main__":
    raise ImportError("scripts/bench.py is a command, not a module")

RATIO = 1.3
"""The real corpus's build time over the import floor."""
SIZES = {1000: (45, None), 10000: (400, 1024)}
"""Synthetic documents → (seconds, MB of peak memory) on the 2-core reference machine."""
LINEAR = 1.2
"""Largest ratio of per-document times (larger corpus over smaller) still called linear."""
LOAD_RATIO = 1.3
"""belgrade_stance.load("stance") over pandas.read_parquet of the same files."""
BASELINES_SECONDS = 300
"""A full run of the majority, TF-IDF and MiniLM baselines (every protocol, comparisons, holders)."""
BUILD = [sys.executable, "-m", "belgrade_stance", "build", "--root"]
OWN = ("belgrade_stance", "__main__", "__mp_main__")

PROBE = """
import json, os, sys
from belgrade_stance.cli import main
code = main(["build", "--root", sys.argv[1]])
modules = [m for m in sys.modules if not m.startswith({own!r})]
with open(sys.argv[2], "w") as f:
    json.dump(modules, f)
sys.stdout.flush()
os._exit(code)
"""
FLOOR = """
import importlib, json, sys
for name in json.load(open(sys.argv[1])):
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""


def tree(root: int) -> set[int]:
    """The process and all its descendants, from /proc."""
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
        todo += [c for c, p in parent.items() if p == pid and c not in found]
    return found


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0


def measure(cmd: list, env: dict | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak MB, stdout) of a command; exits with its stderr if it fails."""
    done, peak = threading.Event(), [0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=err, env=env)

        def sample() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], sum(pss_kb(pid) for pid in tree(proc.pid)))

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise SystemExit(
                f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{err.read().decode()[-3000:]}"
            )
        return wall, max(usage.ru_maxrss, peak[0]) / 1024, out.read().decode()


def copy_checkout(root: Path, dst: Path) -> None:
    caches = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".*_cache", ".hypothesis")
    shutil.copytree(root, dst, ignore=caches)


def synthetic(root: Path, dst: Path, n_docs: int) -> None:
    """A checkout whose raw/ holds n_docs documents, made by repeating the real ones of root."""
    copy_checkout(root, dst)
    raw = dst / "raw"
    real = list(csv.DictReader(io.StringIO((root / "raw/metadata.csv").read_text(encoding="utf-8"))))
    passes = [p.relative_to(root / "raw") for p in (root / "raw/annotations").iterdir()]
    folders = [Path("segments"), Path("adjudication"), *passes]
    for folder in [Path("texts"), *folders]:
        shutil.rmtree(raw / folder)
        (raw / folder).mkdir()
    rows = []
    for i in range(n_docs):
        src = real[i % len(real)]
        doc = f"s{i:05d}"
        shutil.copy(root / "raw/texts" / src["source_file"], raw / "texts" / f"{doc}.txt")
        rows.append({**src, "doc_id": doc, "source_file": f"{doc}.txt", "split": "train"})
        for folder in folders:
            path = root / "raw" / folder / f"{src['doc_id']}.jsonl"
            if path.exists():
                text = path.read_text(encoding="utf-8").replace(f'"{src["doc_id"]}-', f'"{doc}-')
                (raw / folder / f"{doc}.jsonl").write_text(text, encoding="utf-8")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (raw / "metadata.csv").write_text(out.getvalue(), encoding="utf-8")


def sentences(checkout: Path) -> int:
    import belgrade_stance

    return sum(
        s["rows"] for s in belgrade_stance.manifest(checkout / "data")["configs"]["sentences"].values()
    )


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def bench_real(root: Path, tmp: Path, repeat: int) -> tuple[bool, float]:
    """Build time of the real corpus against the import floor (best of `repeat`, interleaved)."""
    real = tmp / "real"
    copy_checkout(root, real)
    modules = tmp / "modules.json"
    measure([sys.executable, "-c", PROBE.format(own=OWN), real, modules])
    names = json.loads(modules.read_text())
    packages = sorted(p for p in {n.split(".")[0] for n in names} - sys.stdlib_module_names if p[0] != "_")
    builds, floors = [], []
    for _ in range(repeat):
        builds.append(measure([*BUILD, real])[:2])
        floors.append(measure([sys.executable, "-c", FLOOR, modules])[0])
    (build, peak), floor = min(builds), min(floors)
    met = build <= RATIO * floor
    print(f"import floor: {floor:.2f} s for the {len(names)} modules a build loads ({', '.join(packages)})")
    print(
        f"real corpus ({sentences(real)} sentences): build {build:.2f} s = {build / floor:.2f} × the floor, "
        f"peak memory {peak:.0f} MB   [target ≤ {RATIO} ×: {verdict(met)}]"
        + (f"; best of {repeat}: builds {', '.join(f'{t:.2f}' for t, _ in builds)} s" if repeat > 1 else "")
    )
    return met, build


def bench_sizes(root: Path, tmp: Path, sizes: list[int], real_build: float) -> bool:
    """Build time and peak memory of synthetic corpora; the cost per document beyond the real corpus."""
    ok, per_doc = True, {}
    n_real = len((root / "raw/metadata.csv").read_text(encoding="utf-8").splitlines()) - 1
    for n in sorted(sizes):
        checkout = tmp / f"synthetic-{n}"
        synthetic(root, checkout, n)
        wall, peak, _ = measure([*BUILD, checkout])
        per_doc[n] = (wall - real_build) / (n - n_real) if n > n_real else float("nan")
        seconds, mb = SIZES.get(n, (None, None))
        met = (seconds is None or wall <= seconds) and (mb is None or peak <= mb)
        ok &= met
        targets = ", ".join(t for t in (seconds and f"≤ {seconds} s", mb and f"≤ {mb} MB") if t)
        print(
            f"synthetic {n:>6} documents ({sentences(checkout)} sentences): build {wall:.1f} s, peak memory "
            f"{peak:.0f} MB, {1000 * per_doc[n]:.1f} ms per document beyond the real corpus"
            + (f"   [targets {targets}: {verdict(met)}]" if targets else "")
        )
        shutil.rmtree(checkout)
    if len(per_doc) >= 2:
        (a, ra), (b, rb) = list(per_doc.items())[0], list(per_doc.items())[-1]
        linear = rb <= LINEAR * ra
        ok &= linear
        print(
            f"growth: {1000 * ra:.1f} ms per document at {a}, {1000 * rb:.1f} at {b}, ratio {rb / ra:.2f}: "
            f"{'linear' if linear else 'NOT linear'}   [target ≤ {LINEAR}: {verdict(linear)}]"
        )
    return ok


def bench_load(repeat: int) -> bool:
    """belgrade_stance.load("stance") (sha256 checked) against pandas.read_parquet, best of `repeat`."""
    import pandas as pd

    import belgrade_stance
    from belgrade_stance.paths import packaged_data_dir, split_file

    files = [split_file(packaged_data_dir(), "stance", s) for s in belgrade_stance.splits("stance")]
    ours, theirs = [], []
    for _ in range(repeat + 1):  # the first round warms the caches and imports
        start = time.perf_counter()
        belgrade_stance.load("stance")
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        [pd.read_parquet(f) for f in files]
        theirs.append(time.perf_counter() - start)
    ours, theirs = ours[1:], theirs[1:]
    ratio = min(ours) / min(theirs)
    print(
        f'load("stance"): {1000 * min(ours):.1f} ms, pandas.read_parquet of its {len(files)} files: '
        f"{1000 * min(theirs):.1f} ms (best of {repeat}; medians {1000 * statistics.median(ours):.1f}, "
        f"{1000 * statistics.median(theirs):.1f}): ratio {ratio:.2f}   [target ≤ {LOAD_RATIO}: "
        f"{verdict(ratio <= LOAD_RATIO)}]"
    )
    return ratio <= LOAD_RATIO


def bench_baselines(root: Path, tmp: Path, names: str) -> bool:
    """One fresh process of scripts/baselines.py writing to a temporary results folder."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TQDM_DISABLE="1")
    cmd = [sys.executable, root / "scripts/baselines.py", "--only", names, "--results", tmp / "results"]
    wall, peak, out = measure([*cmd, "--data", root / "data"], env=env)
    met = wall <= BASELINES_SECONDS
    print(
        f"baselines {names} (every protocol, comparisons, holder systems): {wall:.1f} s in all, peak memory "
        f"{peak:.0f} MB   [target ≤ {BASELINES_SECONDS} s: {verdict(met)}]\n  "
        + out.strip().replace("\n", "\n  ")
    )
    return met


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="*", default=sorted(SIZES), help="synthetic corpus sizes")
    p.add_argument(
        "--repeat", type=int, default=3, help="runs of the real corpus and the floor (best counts)"
    )
    p.add_argument("--load", action="store_true", help='also time load("stance") against pandas.read_parquet')
    p.add_argument(
        "--baselines",
        nargs="?",
        const="majority,tfidf-lr,minilm-lr",
        help="also time a full run of these baselines (default: majority,tfidf-lr,minilm-lr)",
    )
    args = p.parse_args()
    root = Path(__file__).resolve().parent.parent
    print(f"machine: {os.cpu_count()} CPU cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        ok, real_build = bench_real(root, Path(tmp), args.repeat)
        ok &= bench_sizes(root, Path(tmp), args.sizes, real_build)
        if args.load:
            ok &= bench_load(30)
        if args.baselines:
            ok &= bench_baselines(root, Path(tmp), args.baselines)
    return 0 if ok else 1


raise SystemExit(main())
