"""Output folders: a command that writes a folder of its own (export, viewer, label-studio export,
publish) writes it whole, and only over a new or empty folder or its own earlier output left
unchanged; anything else is refused before a byte is written (README, "Exports and the viewer")."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from belgrade_stance.errors import DatasetError
from belgrade_stance.files import clear_leftovers, folder_swap
from belgrade_stance.load import data_folder
from belgrade_stance.verify import sha256_file

LISTING = "belgrade-stance-output.json"  # of every output folder but the Hub folder (publish-manifest.json)


def foreign(folder: Path, command: str, listing: str = LISTING) -> str | None:
    """Why a non-empty folder is not an unchanged earlier output of command (None if it is one)."""
    try:
        record = json.loads((folder / listing).read_text(encoding="utf-8"))
        files, written_by = dict(record["files"]), record.get("written_by", command)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return f"holds no readable {listing} of an earlier `{command}`"
    if written_by != command:
        return f"holds the output of `{written_by}`, not of `{command}`"
    folders = {parent.as_posix() for rel in files for parent in Path(rel).parents}
    for item in sorted(folder.rglob("*")):
        rel = item.relative_to(folder).as_posix()
        known = rel in folders if item.is_dir() else item.is_file() and (rel in files or rel == listing)
        if item.is_symlink() or not known:
            return f"holds {rel}, which the earlier `{command}` did not write"
        if rel in files and sha256_file(item) != files[rel]:
            return f"{rel} has changed since `{command}` wrote it"
    return None


def check_out(out: Path | str, command: str, data_dir, listing: str = LISTING) -> Path:
    """The resolved folder command may write, else a DatasetError; nothing is touched. It may not be
    or lie inside the data folder read (data_dir; None: the package's) nor the raw/ beside it."""
    if Path(out).is_symlink():
        raise DatasetError("out-symlink", "is a symbolic link; give the real folder", str(out))
    resolved, data = Path(out).resolve(), data_folder(data_dir).resolve()
    for inside in (data, data.parent / "raw"):
        if inside in [resolved, *resolved.parents]:
            raise DatasetError("out-inside-project", f"is inside {inside}; choose another --out", str(out))
    ancestor = next(p for p in [resolved, *resolved.parents] if p.exists())
    if not ancestor.is_dir():
        raise DatasetError("out-not-folder", f"{ancestor} exists and is not a folder", str(out))
    if resolved.is_dir() and any(resolved.iterdir()) and (why := foreign(resolved, command, listing)):
        raise DatasetError("out-foreign", f"is not empty and {why}; choose another --out", str(out))
    return resolved


@contextmanager
def fill(target: Path, command: str, listing: str = LISTING) -> Iterator[Path]:
    """An empty folder to fill that replaces target (allowed by check_out) whole, with the listing,
    when the block ends without an error; on an error target is left as it was."""
    clear_leftovers(target, command.split()[0])  # what a killed run of command left beside target
    with folder_swap(target, command.split()[0]) as tmp:
        yield tmp
        files = {p.relative_to(tmp).as_posix(): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        record = json.dumps({"written_by": command, "files": files}, indent=1, sort_keys=True)
        (tmp / listing).write_text(record + "\n", encoding="utf-8")
