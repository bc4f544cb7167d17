"""Writers take turns and readers never find a folder missing: the atomic exchange of a new
data folder for the old one, and the build lock."""

from __future__ import annotations

import subprocess
import sys
import threading

from belgrade_stance.files import exclusive, folder_swap
from helpers import ROOT, tree_digest


def test_a_reader_never_finds_the_folder_missing_during_swaps(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    (target / "manifest.json").write_text("0")
    missing, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            if not (target / "manifest.json").is_file():
                missing.append(1)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(200):
            with folder_swap(target, "data") as new:
                (new / "manifest.json").write_text(str(i + 1))
    finally:
        stop.set()
        reader.join()
    assert missing == []
    assert (target / "manifest.json").read_text() == "200"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no .data-new-* or .data-old-* left


def test_a_failed_swap_leaves_the_folder_and_no_leftovers(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    (target / "keep").write_text("old")
    try:
        with folder_swap(target, "data") as new:
            (new / "keep").write_text("new")
            raise RuntimeError("stage failed")
    except RuntimeError:
        pass
    assert (target / "keep").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_the_lock_makes_writers_take_turns(tmp_path):
    lock = tmp_path / ".build.lock"
    order = []

    def writer(name):
        with exclusive(lock):
            order.append(f"{name} in")
            threading.Event().wait(0.2)
            order.append(f"{name} out")

    # flock is per open file: two threads with their own handles exclude each other like processes
    threads = [threading.Thread(target=writer, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


def test_two_builds_at_once_both_succeed_one_after_the_other(project):
    cmd = [sys.executable, "-m", "belgrade_stance.cli", "build", "--force", "--root", str(project)]
    runs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [r.communicate(timeout=300) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], [o[1][-2000:] for o in outs]
    assert "Traceback" not in "".join(o[1] for o in outs)
    leftovers = [p.name for p in project.iterdir() if p.name.startswith(".data-")]
    assert leftovers == []
    assert subprocess.run([sys.executable, "-m", "belgrade_stance.cli", "verify", "--root", str(project)],
                          capture_output=True, text=True).returncode == 0
    assert tree_digest(project / "data") == tree_digest(ROOT / "data")
