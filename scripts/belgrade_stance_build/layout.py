"""The one path helper of a source checkout: every location of raw/, data/, the card and the
results is built here, and raw inputs are read through it (so that each read is hashed). The
installed package knows only data folders (belgrade_stance.paths)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from belgrade_stance.errors import DatasetError


@dataclass(frozen=True)
class Layout:
    """Locations inside a source checkout (the folder holding pyproject.toml and raw/), and the
    sha256 of every raw input read through it (reads: path relative to root → sha256)."""

    root: Path
    reads: dict = field(default_factory=dict, compare=False, repr=False)

    def read_raw(self, path: Path) -> bytes:
        """The bytes of a raw input, read once and hashed: the manifest vouches for the very
        bytes the build parsed, even if the file changes later."""
        data = Path(path).read_bytes()
        self.reads[self.rel(path)] = hashlib.sha256(data).hexdigest()
        return data

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def texts(self) -> Path:
        return self.raw / "texts"

    @property
    def metadata(self) -> Path:
        return self.raw / "metadata.csv"

    @property
    def segments(self) -> Path:
        return self.raw / "segments"

    def segment_file(self, doc_id: str) -> Path:
        return self.segments / f"{doc_id}.jsonl"

    @property
    def annotations(self) -> Path:
        return self.raw / "annotations"

    def annotation_file(self, pass_name: str, doc_id: str) -> Path:
        return self.annotations / pass_name / f"{doc_id}.jsonl"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def figures(self) -> Path:
        return self.root / "figures"

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def baseline_results(self) -> Path:
        return self.results / "baselines.json"

    @property
    def card(self) -> Path:
        return self.root / "DATASET_CARD.md"

    @property
    def readme(self) -> Path:
        return self.root / "README.md"

    @property
    def guidelines(self) -> Path:
        return self.root / "docs" / "annotation-guidelines.md"

    def rel(self, path: Path) -> str:
        """A path as shown in messages: relative to the project root where possible."""
        path = Path(path)
        if path.is_relative_to(self.root) and ".." not in path.parts:  # built from root: no need to resolve
            return str(path.relative_to(self.root))
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


class ProjectNotFound(DatasetError):
    """No project folder (pyproject.toml and raw/) at or above the given folder."""

    def __init__(self, where: str, message: str):
        super().__init__("not-a-project", message, where)


def find_project(start: Path | None = None) -> Layout:
    """The project folder (pyproject.toml and raw/): ``start`` itself when given (--root), else
    the current directory or the nearest folder above it that is one."""
    if start is not None:
        root = Path(start).resolve()
        if (root / "pyproject.toml").is_file() and (root / "raw").is_dir():
            return Layout(root)
        raise ProjectNotFound(
            str(start), "not a belgrade-stance project folder (one with pyproject.toml and raw/)"
        )
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "raw").is_dir():
            return Layout(folder)
    raise ProjectNotFound(
        str(here), "not inside a belgrade-stance project (a folder with pyproject.toml and raw/); pass --root"
    )
