"""The one path helper of a source checkout; raw inputs are read through it, so each read is hashed."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

from belgrade_stance.errors import DatasetError

HUB = "https://huggingface.co/datasets/"


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

    def hub_url(self) -> str:
        """The dataset's Hub page, declared once: pyproject's [project.urls] Homepage."""
        project = tomllib.loads((self.root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        if not (url := project.get("urls", {}).get("Homepage", "")).startswith(HUB) or url.count("/") != 5:
            raise DatasetError("hub-url", f"Homepage is not {HUB}<owner>/<name>", "pyproject.toml")
        return url

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


def find_project(start: Path | None = None) -> Layout:
    """The project folder (pyproject.toml and raw/): ``start`` itself when given (--root), else
    the current directory or the nearest folder above it that is one."""
    here = Path(Path.cwd() if start is None else start).resolve()
    for folder in [here, *here.parents] if start is None else [here]:
        if (folder / "pyproject.toml").is_file() and (folder / "raw").is_dir():
            return Layout(folder)
    if start is None:
        why = "not inside a belgrade-stance project (a folder with pyproject.toml and raw/); pass --root"
        raise DatasetError("not-a-project", why, str(here))
    why = "not a belgrade-stance project folder (one with pyproject.toml and raw/)"
    raise DatasetError("not-a-project", why, str(start))
