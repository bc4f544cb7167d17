"""Output folders: what every command that writes a folder of its own may replace.

`export conll|spacy --out DIR`, `viewer --out DIR`, `label-studio export --out DIR` and
`publish --out DIR` write their folder whole (aside, then swapped in; see `files.folder_swap`),
and only over

* a folder that does not exist yet or is empty, or
* an earlier output of the same command that nobody has changed since: the folder's listing
  (written last, with the sha256 of every other file) names this command, and the folder holds
  only listed files with those hashes.

Anything else is refused before a byte is written: a symbolic link, a file (or a path below
one), a folder inside the data being read or the raw inputs, a folder holding any file the
command did not write. A file the project did not write is never overwritten or deleted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from belgrade_stance.errors import DatasetError
from belgrade_stance.files import folder_swap
from belgrade_stance.verify import sha256_file

LISTING = "belgrade-stance-output.json"
"""The listing every output folder but the Hub folder gets (the Hub folder's is publish-manifest.json)."""


class OutputRefused(DatasetError):
    """The output folder may not be written; the message says why and what to do."""


def foreign(folder: Path, command: str, listing: str = LISTING) -> str | None:
    """Why a non-empty folder is not an unchanged earlier output of command (None if it is one)."""
    try:
        record = json.loads((folder / listing).read_text(encoding="utf-8"))
        files, written_by = record["files"], record.get("written_by", command)
        if not isinstance(files, dict):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return f"holds no readable {listing} of an earlier `{command}`"
    if written_by != command:
        return f"holds the output of `{written_by}`, not of `{command}`"
    folders = {parent.as_posix() for rel in files for parent in Path(rel).parents}
    for item in sorted(folder.rglob("*")):
        rel = item.relative_to(folder).as_posix()
        if rel == listing and not item.is_symlink():
            continue
        if item.is_symlink() or not (item.is_dir() and rel in folders or item.is_file() and rel in files):
            return f"holds {rel}, which the earlier `{command}` did not write"
        if item.is_file() and sha256_file(item) != files[rel]:
            return f"{rel} has changed since `{command}` wrote it"
    return None


def check_out(out: Path | str, command: str, protected=(), listing: str = LISTING) -> Path:
    """The resolved folder command may write, or OutputRefused naming the rule. Nothing is touched.

    protected: (folder, name) pairs the output may not be or lie inside (the data being read, raw/)."""
    given = str(out)
    if Path(out).is_symlink():
        raise OutputRefused("out-symlink", "is a symbolic link; give the real folder", given)
    resolved = Path(out).resolve()
    for inside, name in protected:
        if resolved == Path(inside).resolve() or Path(inside).resolve() in resolved.parents:
            raise OutputRefused("out-inside-project", f"is inside {name}; choose a folder outside it", given)
    ancestor = resolved
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputRefused("out-not-folder", f"{ancestor} exists and is not a folder", given)
    why = foreign(resolved, command, listing) if resolved.is_dir() and any(resolved.iterdir()) else None
    if why:
        raise OutputRefused(
            "out-foreign",
            f"is not empty and {why}; choose another --out (`{command}` replaces only an empty folder or "
            "its own earlier output, unchanged)",
            given,
        )
    return resolved


def around_data(data_dir) -> list[tuple[Path, str]]:
    """What an output read from data_dir may not overwrite: that data folder and, in a checkout, raw/."""
    from belgrade_stance.load import data_folder

    data = data_folder(data_dir)
    return [(data, f"the data folder {data}"), (data.parent / "raw", "raw/")]


@contextmanager
def fill(target: Path, command: str, listing: str = LISTING) -> Iterator[Path]:
    """An empty folder beside target (a folder check_out allowed) to fill. When the block ends
    without an error the listing is written and the folder replaces target whole; on an error
    target is left as it was."""
    with folder_swap(target, command.split()[0]) as tmp:
        yield tmp
        files = {p.relative_to(tmp).as_posix(): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        record = json.dumps({"written_by": command, "files": files}, indent=1, sort_keys=True)
        (tmp / listing).write_text(record + "\n", encoding="utf-8")
