"""The command offers the verbs that can run where it is installed (a plugin adds verbs, never
replaces one); anything else is one line with a rule, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

import belgrade_stance
from belgrade_stance import cli
from helpers import ROOT

MAJORITY = ROOT / "results/predictions/majority/split.jsonl"


class EntryPoint:
    def __init__(self, name, load):
        self.name, self.load = name, load


def _missing():
    raise ModuleNotFoundError("No module named 'belgrade_stance_build'", name="belgrade_stance_build")


def test_without_the_build_package_its_verbs_are_hidden_and_named_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(
        cli, "entry_points", lambda group: [EntryPoint(v, _missing) for v in ("build", "publish")]
    )
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "    build" not in capsys.readouterr().out
    assert cli.main(["build", "--root", "."]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "[needs-checkout]" in err[0]


def test_a_plugin_cannot_replace_a_shipped_verb(monkeypatch, capsys):
    def add(sub, parents):
        sub.add_parser("verify").set_defaults(func=lambda args: 99)

    monkeypatch.setattr(cli, "entry_points", lambda group: [EntryPoint("verify", lambda: add)])
    assert cli.main(["verify", "--data", str(ROOT / "data")]) == 0
    assert "verify: ok" in capsys.readouterr().out


def test_a_plugin_verb_whose_dependency_is_missing_says_which(monkeypatch, capsys):
    def add(sub, parents):
        def run(args):
            raise ModuleNotFoundError("No module named 'pandera'", name="pandera")

        sub.add_parser("build").set_defaults(func=run)

    monkeypatch.setattr(cli, "entry_points", lambda group: [EntryPoint("build", lambda: add)])
    assert cli.main(["build"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'pandera'" in err[0] and "[missing-dependency]" in err[0]


@pytest.mark.parametrize("root", [None, "README.md", "no-such-folder", "raw"])
def test_outside_a_project_a_checkout_verb_is_one_line(root, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", "--check"] + (["--root", str(ROOT / root)] if root else [])) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "[not-a-project]" in err[0]


def test_a_reader_that_goes_away_is_no_traceback():
    p = subprocess.Popen(
        [sys.executable, "-m", "belgrade_stance", "evaluate", "--json", str(MAJORITY)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    p.stdout.close()  # like `| head -0`
    err = p.stderr.read().decode()
    p.wait()
    assert "Traceback" not in err and p.returncode != 0, err


MANIFESTS = {
    "not-json": ('{"format_version": 1', "manifest-unreadable"),
    "a-list": ("[]", "manifest-malformed"),
    "no-configs": ('{"format_version": 1}', "manifest-malformed"),
    "old-format": ('{"format_version": 0, "configs": {}}', "format-version"),
    "bad-entry": (("rows", "156"), "manifest-malformed"),
    "escaping-path": (("path", "../../etc/passwd"), "manifest-malformed"),
}


@pytest.mark.parametrize("kind", sorted(MANIFESTS))
def test_a_malformed_manifest_is_one_clear_error(tmp_path, kind, capsys):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    text, rule = MANIFESTS[kind]
    if isinstance(text, tuple):
        m = json.loads((ROOT / "data/manifest.json").read_text())
        m["configs"]["stance"]["test"][text[0]] = text[1]
        text = json.dumps(m)
    (data / "manifest.json").write_text(text)
    with pytest.raises(belgrade_stance.LoadError, match=rf"\[{rule}\]"):
        belgrade_stance.load("stance", "test", data_dir=data)
    assert cli.main(["evaluate", str(MAJORITY), "--data", str(data), "--samples", "0"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"[{rule}]" in err[0]
    assert cli.main(["verify", "--data", str(data)]) == 1
    assert f"[{rule}]" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-1", "ten", "1.5"])
def test_evaluate_refuses_numbers_that_are_not_counts(value, capsys):
    with pytest.raises(SystemExit) as code:
        cli.main(["evaluate", str(MAJORITY), "--samples", value])
    assert code.value.code == 2 and "--samples" in capsys.readouterr().err


def test_the_command_ends_with_its_own_exit_code_and_all_it_printed(tmp_path):
    """The console command (`run`) ends the process right after main(): what it printed reaches a
    pipe whole, and the exit code is main()'s, for a success and a refusal alike."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered, as in a shell
    bad = tmp_path / "pred.jsonl"
    bad.write_text('{"sentence_id": "d03-s000"\n', encoding="utf-8")
    for argv, code, stream, text in (
        (["verify", "--data", str(ROOT / "data")], 0, "stdout", "verify: ok"),
        (["evaluate", str(bad), "--task", "holders"], 1, "stderr", "[prediction-record]"),
        (
            ["evaluate", "--json", str(ROOT / "results/predictions/tfidf-lr/split.jsonl")],
            0,
            "stdout",
            '"f_avg"',
        ),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "belgrade_stance", *argv],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
        )
        assert done.returncode == code and text in getattr(done, stream), (argv, done.stderr[-500:])
        if code == 0 and argv[0] == "evaluate":  # the whole report, not a cut buffer
            assert json.loads(done.stdout)["metrics"]["f_avg"] is not None


def test_a_huge_bad_prediction_file_gives_a_few_short_examples_and_counts(tmp_path, capsys):
    lines = tmp_path / "p.jsonl"
    record = json.dumps({"id": "d03-s000-war", "label": "x" * 100}) + "\n"
    lines.write_text(record * 20000 + json.dumps({"id": "y", "label": "z" * 100_000}) + "\n")
    assert cli.main(["evaluate", str(lines), "--samples", "0"]) == 1
    err = capsys.readouterr().err
    assert len(err) < 2000 and "x" * 81 not in err and "Traceback" not in err, err
    assert "line 20001: longer than 65536 characters" in err
    assert "20000 unknown label(s)" in err and "line 4, line 5, … (19995 more))" in err


def test_an_export_clears_what_a_killed_export_left(tmp_path, capsys):
    (tmp_path / ".export-new-k1ll3d00").mkdir()
    assert cli.main(["export", "conll", "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
