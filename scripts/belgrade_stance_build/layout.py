"""The one path helper of a source checkout; raw inputs are read through it, so each read is hashed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from belgrade_stance.errors import DatasetError


class Layout:
    """Locations inside a source checkout (the folder holding pyproject.toml and raw/), and the
    sha256 of every raw input read through it (reads: path relative to root → sha256)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.reads: dict[str, str] = {}
        self.raw, self.data = self.root / "raw", self.root / "data"
        self.texts, self.segments, self.annotations = (
            self.raw / n for n in ("texts", "segments", "annotations")
        )
        self.metadata = self.raw / "metadata.csv"
        self.figures, self.results = self.root / "figures", self.root / "results"
        self.baseline_results = self.results / "baselines.json"
        self.card, self.readme = self.root / "DATASET_CARD.md", self.root / "README.md"
        self.guidelines = self.root / "docs" / "annotation-guidelines.md"

    def read_raw(self, path: Path) -> bytes:
        """The bytes of a raw input, read once and hashed: the manifest vouches for the very
        bytes the build parsed, even if the file changes later."""
        data = Path(path).read_bytes()
        self.reads[self.rel(path)] = hashlib.sha256(data).hexdigest()
        return data

    def segment_file(self, doc_id: str) -> Path:
        return self.segments / f"{doc_id}.jsonl"

    def annotation_file(self, pass_name: str, doc_id: str) -> Path:
        return self.annotations / pass_name / f"{doc_id}.jsonl"

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
