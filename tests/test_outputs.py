"""Output folders: export, viewer and the Label Studio export write a folder whole, and only over a
new or empty folder or their own earlier output left unchanged; anything else is refused with a
rule and left as it was (publish follows the same rules, tested in test_publish)."""

from __future__ import annotations

import json

import pytest

from belgrade_stance.cli import main
from belgrade_stance.outputs import LISTING

COMMANDS = {
    "conll": ["export", "conll"],
    "spacy": ["export", "spacy"],
    "viewer": ["viewer"],
    "label-studio": ["export", "label-studio"],
}


def run(command, out, project, capsys) -> tuple[int, str]:
    where = ["--root", str(project)] if command == "label-studio" else ["--data", str(project / "data")]
    capsys.readouterr()
    code = main([*COMMANDS[command], "--out", str(out), *where])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def tree(folder):
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))} if folder.exists() else None


@pytest.mark.parametrize("command", COMMANDS)
def test_an_output_folder_lists_its_files_and_is_replaced_only_while_unchanged(command, project, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(command, out, project, capsys)[0] == 0
    listing = json.loads((out / LISTING).read_text(encoding="utf-8"))
    assert listing["written_by"] == " ".join(COMMANDS[command])
    assert set(listing["files"]) == {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {LISTING}
    assert run(command, out, project, capsys)[0] == 0  # its own output, unchanged: replaced

    first = sorted(listing["files"])[0]
    changes = {
        "a file of the user's beside the output": lambda: (out / "notes.txt").write_text("mine"),
        "an output file edited since": lambda: (out / first).write_bytes((out / first).read_bytes() + b"\n"),
        "an output file replaced by a folder": lambda: ((out / first).unlink(), (out / first).mkdir()),
        "no listing": lambda: (out / LISTING).unlink(),
        "an unreadable listing": lambda: (out / LISTING).write_text("[1, 2"),
        "another command's output": lambda: (out / LISTING).write_text(
            json.dumps({**listing, "written_by": "viewer" if command != "viewer" else "export conll"})),
    }
    for why, change in changes.items():
        assert run(command, out, project, capsys)[0] == 0  # back to a clean earlier output
        change()
        before = tree(out)
        code, err = run(command, out, project, capsys)
        assert code == 1 and "[out-foreign]" in err, (why, err)
        assert tree(out) == before, why
        for item in sorted(out.rglob("*"), reverse=True):  # clear it for the next case
            item.rmdir() if item.is_dir() else item.unlink()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_the_command_may_not_write_is_refused_untouched(command, project, tmp_path, capsys):
    from belgrade_stance.verify import verify

    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "afile").write_text("x")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    cases = [("link", "out-symlink"), ("dangling", "out-symlink"), ("afile", "out-not-folder"),
             ("afile/sub", "out-not-folder"), ("mine", "out-foreign")]
    raw_before, data_before = tree(project / "raw"), tree(project / "data")
    for name, rule in cases:
        before = tree(tmp_path)
        code, err = run(command, tmp_path / name, project, capsys)
        assert code == 1 and f"[{rule}]" in err, (name, err)
        assert tree(tmp_path) == before, name
    for inside in ("data", "data/stance", "raw", "raw/texts/new"):
        code, err = run(command, project / inside, project, capsys)
        assert code == 1 and "[out-inside-project]" in err, (inside, err)
    assert tree(project / "raw") == raw_before and tree(project / "data") == data_before
    assert not verify(project / "data", project)
