"""Output folders: export, viewer and the Label Studio export write a folder whole, and only over a
new or empty folder or their own earlier output left unchanged; anything else is refused with a
rule and left as it was (publish follows the same rules, tested in test_publish)."""

from __future__ import annotations

import json
import shutil

import pytest

from belgrade_stance.cli import main
from belgrade_stance.outputs import LISTING
from helpers import tree_digest


@pytest.mark.parametrize("command", ["export conll", "export spacy", "viewer", "label-studio export"])
def test_an_output_folder_is_written_whole_and_replaced_only_unchanged(command, project, tmp_path, capsys):
    def run(out) -> tuple[int, str]:
        where = ["--root", project] if command.startswith("label-studio") else ["--data", project / "data"]
        code, err = main([*command.split(), "--out", *map(str, [out, *where])]), capsys.readouterr().err
        assert "Traceback" not in err
        return code, err

    (tmp_path / "link").symlink_to(project)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "afile").write_text("x")
    refused = {"link": "out-symlink", "dangling": "out-symlink", "afile": "out-not-folder"}
    refused = {tmp_path / k: v for k, v in (refused | {"afile/sub": "out-not-folder"}).items()}
    inside = ("data", "data/stance", "raw", "raw/texts/new")
    refused |= {project / k: "out-inside-project" for k in inside}
    before = tree_digest(tmp_path)
    for out, rule in refused.items():
        code, err = run(out)
        assert code == 1 and f"[{rule}]" in err, (out, err)
    assert tree_digest(tmp_path) == before

    out = tmp_path / "out"
    assert run(out)[0] == 0
    listing = json.loads((out / LISTING).read_text(encoding="utf-8"))
    assert listing["written_by"] == command
    assert {LISTING, *listing["files"]} == {
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
    }
    first = sorted(listing["files"])[0]
    (out / first).unlink()  # a file removed from its own earlier output: still replaced
    assert run(out)[0] == 0 and (out / first).is_file()
    other = json.dumps({**listing, "written_by": "another command"})
    changes = {
        "a file of the user's beside the output": lambda: (out / "notes.txt").write_text("mine"),
        "an output file edited since": lambda: (out / first).write_bytes((out / first).read_bytes() + b"\n"),
        "an output file replaced by a folder": lambda: ((out / first).unlink(), (out / first).mkdir()),
        "no listing": lambda: (out / LISTING).unlink(),
        "an unreadable listing": lambda: (out / LISTING).write_text("[1, 2"),
        "another command's output": lambda: (out / LISTING).write_text(other),
    }
    for why, change in changes.items():
        assert run(out)[0] == 0  # a clean earlier output
        change()
        before = tree_digest(out)
        code, err = run(out)
        assert code == 1 and "[out-foreign]" in err, (why, err)
        assert tree_digest(out) == before, why
        shutil.rmtree(out)
