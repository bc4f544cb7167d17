"""Integrity: verify names every changed byte, file and column; a failed or killed build leaves
data/ as it was or wholly new, and the next build clears what a killed one left."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from belgrade_stance.cli import main
from belgrade_stance.files import STOPPED, clear_leftovers, folder_swap
from belgrade_stance.verify import verify
from helpers import ROOT, tree_digest


def _flip(path):
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    path.write_bytes(bytes(blob))


def _rewrite(project, change):
    """A file rewritten with other columns or features, its sha256 recorded anew."""
    path = project / "data/stance/test.parquet"
    table = pq.read_table(path)
    if change == "drop-column":
        table = table.drop_columns(["fold"])
    else:
        meta = json.loads(table.schema.metadata[b"huggingface"])
        meta["info"]["features"]["label"]["names"] = ["none", "favor", "against"]
        table = table.replace_schema_metadata({b"huggingface": json.dumps(meta).encode()})
    pq.write_table(table, path, compression="zstd")
    manifest = json.loads((project / "data/manifest.json").read_text())
    manifest["configs"]["stance"]["test"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (project / "data/manifest.json").write_text(json.dumps(manifest))


CHANGES = {
    "flipped-bit": (
        lambda p: _flip(p / "data/stance/test.parquet"),
        "stance/test.parquet: [sha256-mismatch]",
    ),
    "raw-edited": (
        lambda p: _flip(p / "raw/segments/d01.jsonl"),
        "raw/segments/d01.jsonl: [raw-sha256-mismatch]",
    ),
    "raw-unlisted": (lambda p: (p / "raw/texts/notes.txt").write_text("a note"), "[unlisted-raw-file]"),
    "unlisted-file": (
        lambda p: shutil.copy(p / "data/stance/test.parquet", p / "data/stance/x.parquet"),
        "stance/x.parquet: [unlisted-file]",
    ),
    "missing-file": (
        lambda p: (p / "data/documents/train.parquet").unlink(),
        "train.parquet: [missing-file]",
    ),
    "report-changed": (
        lambda p: (p / "data/agreement.json").write_text("{}"),
        "agreement.json: [sha256-mismatch]",
    ),
    "column-dropped": (lambda p: _rewrite(p, "drop-column"), "stance/test.parquet: [features-mismatch]"),
    "features-changed": (lambda p: _rewrite(p, "other-features"), "stance/test.parquet: [features-mismatch]"),
    "cut-short": (lambda p: _cut(p / "data/stance/test.parquet"), "test.parquet: [sha256-mismatch]"),
    "killed-build-left": (lambda p: (p / ".data-new-k1ll3d00").mkdir(), "k1ll3d00: [leftover-folder]"),
    "report-outside": (lambda p: _report_at(p, "/etc/hostname"), "'/etc/hostname' leaves the data folder"),
    "report-above": (lambda p: _report_at(p, "../../etc/hostname"), "'../../etc/hostname' leaves"),
}


def _cut(path):
    path.write_bytes(path.read_bytes()[:100])


def _report_at(project, path):
    manifest = json.loads((project / "data/manifest.json").read_text())
    manifest["reports"]["agreement.json"]["path"] = path
    (project / "data/manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_verify_names_every_change(project, change, capsys):
    assert verify(project / "data", project) == []
    apply, expected = CHANGES[change]
    apply(project)
    assert any(expected in p for p in verify(project / "data", project))
    assert main(["verify", "--data", str(project / "data")]) == 1
    assert expected in capsys.readouterr().err


def test_a_failed_swap_leaves_the_folder_and_no_leftovers(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    (target / "keep").write_text("old")
    with pytest.raises(RuntimeError), folder_swap(target, "data") as new:
        (new / "keep").write_text("new")
        raise RuntimeError("stage failed")
    assert (target / "keep").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    target.rename(tmp_path / ".data-old-k1ll3d00")  # killed between the swap's two renames
    (tmp_path / ".data-new-k1ll3d00").mkdir()
    (tmp_path / ".data-new-users-own").mkdir()
    clear_leftovers(target, "data")
    assert (target / "keep").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".data-new-users-own", "data"]


def test_an_interrupt_a_library_swallowed_still_stops_the_swap(tmp_path):
    (tmp_path / "data").mkdir()
    STOPPED.append(signal.SIGINT)  # as if a writer's cleanup had swallowed the KeyboardInterrupt
    try:
        with pytest.raises(KeyboardInterrupt), folder_swap(tmp_path / "data", "data") as new:
            (new / "half").write_text("written")
    finally:
        STOPPED.clear()
    assert [p.name for p in tmp_path.iterdir()] == ["data"] and not any((tmp_path / "data").iterdir())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_build_says_so_in_one_line_and_swaps_nothing(checkout, sig):
    before = tree_digest(checkout / "data")
    run = subprocess.Popen(_build_command(checkout), stderr=subprocess.PIPE, text=True)
    for _ in range(600):  # interrupt it while it writes the new data folder
        if any(checkout.glob(".data-new-*/stance")) or run.poll() is not None:
            break
        time.sleep(0.02)
    run.send_signal(sig)
    err = run.communicate(timeout=60)[1]
    assert run.returncode == 128 + sig and err.count("\n") == 1 and "[interrupted-by-signal]" in err, err
    assert tree_digest(checkout / "data") == before
    assert [p.name for p in checkout.iterdir() if p.name.startswith(".data-")] == []


def _build_command(project):
    return [sys.executable, "-m", "belgrade_stance", "build", "--root", str(project)]


def test_a_killed_build_leaves_data_whole_and_the_next_build_clears_its_leftovers(checkout):
    before = tree_digest(checkout / "data")
    run = subprocess.Popen(_build_command(checkout), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(600):  # kill it while it writes the new data folder
        if any(checkout.glob(".data-new-*/stance")) or run.poll() is not None:
            break
        time.sleep(0.02)
    run.send_signal(signal.SIGKILL)
    run.communicate()
    assert tree_digest(checkout / "data") == before
    (checkout / ".data-old-k1ll3d00").mkdir()  # as if killed between the swap's two renames, too
    done = subprocess.run(_build_command(checkout), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in checkout.iterdir() if p.name.startswith(".data-")] == []
    assert tree_digest(checkout / "data") == tree_digest(ROOT / "data")


@pytest.mark.slow
def test_two_builds_at_once_both_succeed(checkout):
    runs = [subprocess.Popen(_build_command(checkout), stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errs = [r.communicate(timeout=600)[1] for r in runs]
    assert [r.returncode for r in runs] == [0, 0] and "Traceback" not in "".join(errs), errs
    assert verify(checkout / "data", checkout) == []


def test_build_check_counts_a_parquet_file_cut_short_as_stale(tmp_path):
    from belgrade_stance_build.build import same_output

    (tmp_path / "test.parquet").write_bytes((ROOT / "data/stance/test.parquet").read_bytes()[:100])
    assert not same_output(tmp_path / "test.parquet", ROOT / "data/stance/test.parquet")
