"""The command offers the verbs that can run where it is installed: the package's own verbs
always, the checkout's verbs where their plugin loads; anything else is one line, never a
traceback."""

from __future__ import annotations

import pytest

from belgrade_stance import cli


class EntryPoint:
    def __init__(self, name, load):
        self.name, self._load = name, load

    def load(self):
        return self._load()


def _missing(name):
    def load():
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    return load


def test_in_the_checkout_the_build_verbs_are_offered(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for verb in ("build", "validate", "card", "publish", "import-label-studio", "verify", "evaluate", "export",
                 "viewer"):
        assert f"    {verb} " in out or f"    {verb}\n" in out, verb


def test_without_the_build_package_its_verbs_are_hidden_and_named_in_one_line(monkeypatch, capsys):
    eps = [EntryPoint(v, _missing("belgrade_stance_build")) for v in ("build", "card", "verify", "export")]
    monkeypatch.setattr(cli, "entry_points", lambda group: eps)
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert "    build" not in out and "    card" not in out and "    verify" in out
    assert cli.main(["build", "--root", "."]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs a source checkout" in err[0]
    assert cli.main(["verify", "--data", "no-such-folder"]) == 1  # the package's own verify stands in


def test_a_plugin_verb_whose_dependency_is_missing_says_which(monkeypatch, capsys):
    def add(sub, parents):
        def run(args):
            raise ModuleNotFoundError("No module named 'pandera'", name="pandera")
        sub.add_parser("build").set_defaults(func=run)
    monkeypatch.setattr(cli, "entry_points", lambda group: [EntryPoint("build", lambda: add)])
    assert cli.main(["build"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'pandera'" in err[0] and "pip install -e '.[build]'" in err[0]


def test_outside_a_project_a_checkout_verb_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not inside a belgrade-stance project" in err[0]


@pytest.mark.parametrize("root", ["README.md", "no-such-folder", "raw"])
def test_a_root_that_is_not_a_project_folder_is_one_line(root, capsys):
    from helpers import ROOT

    assert cli.main(["validate", "--root", str(ROOT / root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a belgrade-stance project folder" in err[0]


def test_a_reader_that_goes_away_is_no_traceback():
    import subprocess
    import sys

    from helpers import ROOT

    pred = ROOT / "results" / "predictions" / "tfidf-lr" / "split.jsonl"
    p = subprocess.Popen([sys.executable, "-m", "belgrade_stance.cli", "evaluate", "--json", str(pred)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    p.stdout.close()  # like `| head -0`
    err = p.stderr.read().decode()
    p.wait()
    assert "Traceback" not in err and p.returncode != 0, err


MANIFESTS = {
    "not-json": '{"format_version": 1',
    "a-list": "[]",
    "no-configs": '{"format_version": 1}',
    "old-format": '{"format_version": 0, "configs": {}}',
    "bad-entry": None,  # filled from the real manifest below
    "escaping-path": None,
}


@pytest.mark.parametrize("kind", sorted(MANIFESTS))
def test_a_malformed_manifest_is_one_clear_error(tmp_path, kind, capsys):
    import json
    import shutil

    import belgrade_stance
    from helpers import ROOT

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    text = MANIFESTS[kind]
    if text is None:
        m = json.loads((ROOT / "data/manifest.json").read_text())
        if kind == "bad-entry":
            m["configs"]["stance"]["test"]["rows"] = "156"
        else:
            m["configs"]["stance"]["test"]["path"] = "../../etc/passwd"
        text = json.dumps(m)
    (data / "manifest.json").write_text(text)
    rule = {"not-json": "manifest-unreadable", "old-format": "format-version"}.get(kind, "manifest-malformed")
    with pytest.raises(belgrade_stance.LoadError, match=rf"\[{rule}\]"):
        belgrade_stance.load("stance", "test", data_dir=data)
    pred = ROOT / "results/predictions/majority/split.jsonl"
    assert cli.main(["evaluate", str(pred), "--data", str(data), "--samples", "0"]) == 1  # a bad input
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"[{rule}]" in err[0]
    assert cli.main(["verify", "--data", str(data)]) == 1
    assert f"[{rule}]" in capsys.readouterr().err


@pytest.mark.parametrize("name, content", [
    ("deep.json", "[" * 50000 + "]" * 50000),
    ("big.csv", "id,label\n" + "x" * 200000 + ",none\n"),
    ("binary.jsonl", "\udcff"),
    ("object-id.jsonl", '{"id": {"a": 1}, "label": "none"}\n'),
    ("list-label.jsonl", '{"id": "d03-s000-war", "label": ["none"]}\n'),
])
def test_odd_prediction_files_are_refused_without_a_traceback(tmp_path, name, content, capsys):
    path = tmp_path / name
    if content == "\udcff":
        path.write_bytes(b"\xff\xfe{garbage")
    else:
        path.write_text(content)
    assert cli.main(["evaluate", str(path), "--samples", "0"]) == 1
    err = capsys.readouterr().err
    assert "cannot be scored" in err and "Traceback" not in err


@pytest.mark.parametrize("value", ["-1", "ten", "1.5"])
def test_evaluate_refuses_numbers_that_are_not_counts(value, capsys):
    from helpers import ROOT

    with pytest.raises(SystemExit) as code:
        cli.main(["evaluate", str(ROOT / "results/predictions/majority/split.jsonl"), "--samples", value])
    assert code.value.code == 2 and "--samples" in capsys.readouterr().err


def test_verify_of_a_data_folder_works_outside_a_checkout(tmp_path, monkeypatch, capsys):
    import shutil

    from helpers import ROOT

    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["verify", "--data", "data"]) == 0
    assert cli.main(["verify", "--root", str(tmp_path)]) == 2


def test_the_command_ends_with_its_own_exit_code_and_all_it_printed(tmp_path):
    """The console command (`run`) ends the process at once after main(): what it printed reaches
    a pipe whole, and the exit code is main()'s, for a success and for a refusal alike."""
    import subprocess
    import sys
    from importlib.metadata import entry_points

    from helpers import ROOT

    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered, as in a plain shell
    (command,) = [e for e in entry_points(group="console_scripts") if e.name == "belgrade-stance"]
    assert command.value == "belgrade_stance.cli:run"
    bad = tmp_path / "pred.jsonl"
    bad.write_text('{"sentence_id": "d03-s000"\n', encoding="utf-8")
    for argv, code, stream, text in (
            (["verify", "--data", str(ROOT / "data")], 0, "stdout", "verify: ok"),
            (["evaluate", str(bad), "--task", "holders"], 1, "stderr", "[prediction-record]"),
            (["evaluate", "--json", str(ROOT / "results/predictions/tfidf-lr/split.jsonl")], 0, "stdout", '"per_class"')):
        done = subprocess.run([sys.executable, "-m", "belgrade_stance", *argv], capture_output=True, text=True, cwd=ROOT,
                              env=env)
        assert done.returncode == code, (argv, done.returncode, done.stderr[-500:])
        assert text in getattr(done, stream), argv
        if argv[0] == "evaluate" and code == 0:  # the whole report, not a cut buffer
            import json

            assert json.loads(done.stdout)["metrics"]["f_avg"] is not None
