"""The one path helper: every file location of the project and the package is built here."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Layout:
    """Locations inside a source checkout (the folder holding pyproject.toml and raw/)."""

    root: Path

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
        try:
            return str(Path(path).resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


class ProjectNotFound(RuntimeError):
    pass


def find_project(start: Path | None = None) -> Layout:
    """The source checkout containing ``start`` (default: the current directory)."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "raw").is_dir() and (folder / "schema").is_dir():
            return Layout(folder)
    raise ProjectNotFound(
        f"{here}: not inside a belgrade-stance source checkout "
        "(a folder with pyproject.toml, raw/ and schema/); pass --root"
    )


def manifest_path(data_dir: Path) -> Path:
    return data_dir / "manifest.json"


def split_file(data_dir: Path, config: str, split: str) -> Path:
    """data/<config>/<split>.parquet"""
    return data_dir / config / f"{split}.parquet"


def packaged_data_dir() -> Path:
    """The data folder the installed package reads.

    In a wheel the Parquet files live inside the package (belgrade_stance/data); in a source
    checkout (editable install) they are the checkout's data/ folder.
    """
    inside = resources.files("belgrade_stance") / "data"
    if Path(str(inside)).is_dir():
        return Path(str(inside))
    return PACKAGE_DIR.parents[1] / "data"
