"""The build: every stage of stages.toml, every time (a few seconds), so no change to an input or
to the code can be missed; `build --check` runs them in a temporary copy and names what differs.

Documents stream through the data stages in parts of PART_DOCUMENTS, written as row groups and
dropped; what spans parts (key columns, surface forms, sentence digests, agreement counts) is
small, so memory is bounded by the part, not by the corpus."""

from __future__ import annotations

import filecmp
import shutil
import tempfile
import tomllib
from contextlib import nullcontext, suppress
from pathlib import Path

import pandas as pd
import pyarrow as pa

from belgrade_stance.errors import Problems
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.inventory import ANNOTATION_PASSES, CONFIGS, SPLITS

PART_DOCUMENTS = 50


class BuildFailed(Exception):
    """The build's failure: every problem found, and the first stage that failed."""

    def __init__(self, problems: Problems, stage: str):
        self.problems = problems
        self.stage = stage
        super().__init__(f"{stage}: {len(problems)} problem(s)")


STAGES = tomllib.loads((Path(__file__).parent / "stages.toml").read_text(encoding="utf-8"))["stage"]
"""The stages in order, declared in stages.toml: name, scope, help, module and the files it writes."""


def diagram() -> str:
    """The README's stage diagram, drawn from STAGES (a generated block)."""
    lines = ["```text", "raw/ → " + " → ".join(s["name"] for s in STAGES), ""]
    for stage in STAGES:
        writes = f"  → {', '.join(stage['writes'])}" if stage.get("writes") else ""
        lines.append(f"{stage['name']:<13} {stage['scope']:<13} {stage['help']}{writes}")
        lines.append(f"{'':<27} scripts/belgrade_stance_build/{stage['module']}")
    return "\n".join([*lines, "```"]) + "\n"


# --------------------------------------------------------------------------- stages of one document


def read_document(layout: Layout, meta: dict, problems: Problems) -> tuple[str | None, dict]:
    """The document stages (texts, segments, annotations, adjudication) on one document.

    Returns (None, products) if all hold, else (name of the first failing stage, {})."""
    from belgrade_stance_build.stages.adjudication import check_adjudication
    from belgrade_stance_build.stages.annotations import read_annotations
    from belgrade_stance_build.stages.segments import read_segments
    from belgrade_stance_build.stages.texts import read_text

    doc_id, before = meta["doc_id"], len(problems)
    text = read_text(layout, meta, problems)
    if text is None or len(problems) > before:
        return "texts", {}
    segments = read_segments(layout, doc_id, text, problems)
    if segments is None or len(problems) > before:
        return "segments", {}
    annotations = {doc_id: read_annotations(layout, meta, text, segments, problems)}
    if len(problems) > before:
        return "annotations", {}
    check_adjudication(layout, doc_id, annotations[doc_id], problems)
    if len(problems) > before:
        return "adjudication", {}
    return None, {"text": text, "segments": segments, "annotations": annotations}


def read_corpus(layout: Layout) -> list[dict]:
    """The metadata rows, and the raw folders' listing checked against them (stage metadata)."""
    from belgrade_stance_build.stages.metadata import read_metadata
    from belgrade_stance_build.stages.texts import check_listing

    problems = Problems()
    metadata = read_metadata(layout, problems)
    if not problems:
        check_listing(layout, metadata, problems)
        doc_ids = {m["doc_id"] for m in metadata}
        folders = [layout.segments, layout.raw / "adjudication"]
        folders += [layout.annotations / p for p in ANNOTATION_PASSES]
        for folder in (f for f in folders if f.is_dir()):
            for path in sorted(folder.iterdir()):
                if path.suffix != ".jsonl" or path.stem not in doc_ids:
                    message = f"no document {path.stem!r} in {layout.rel(layout.metadata)}"
                    problems.add(layout.rel(path), None, "orphan-file", message)
        if layout.annotations.is_dir():
            for path in sorted(layout.annotations.iterdir()):
                if path.name not in ANNOTATION_PASSES:
                    message = f"annotation folder must be one of {list(ANNOTATION_PASSES)}"
                    problems.add(layout.rel(path), None, "unknown-pass", message)
    if problems:
        raise BuildFailed(problems, "metadata")
    return metadata


# --------------------------------------------------------------------------- the data stages


def _schema_problems(failures: list[tuple], problems: Problems) -> None:
    for table, record, check, case, column in failures:
        message = f"record {record!r} column {column}: {check} (failure: {case})"
        problems.add(f"table {table}", None, "schema", message)


class Sizes(dict):
    """split → documents, sentences, entities and stance rows, added up part by part."""

    def __init__(self) -> None:
        super().__init__({s: {"documents": 0, "sentences": 0, "entities": 0, "stance": 0} for s in SPLITS})

    def add(self, tables: dict[str, pd.DataFrame]) -> None:
        for split, n in tables["documents"]["split"].value_counts().items():
            self[split]["documents"] += int(n)
        for split, rows in tables["sentences"].groupby("split"):
            self[split]["sentences"] += len(rows)
            self[split]["entities"] += int(rows["entities"].map(len).sum())
        for split, n in tables["stance"]["split"].value_counts().items():
            self[split]["stance"] += int(n)


def summary(sizes: dict[str, dict[str, int]]) -> str:
    lines = [f"{'split':<11}{'documents':>10}{'sentences':>10}{'entities':>10}{'stance rows':>12}"]
    for split in SPLITS:
        c = sizes[split]
        lines.append(
            f"{split:<11}{c['documents']:>10}{c['sentences']:>10}{c['entities']:>10}{c['stance']:>12}"
        )
    return "\n".join(lines)


def build(layout: Layout, write: bool = True) -> dict:
    """Run the data stages. Returns {'sizes', 'agreement', 'manifest', 'summary'}; raises
    BuildFailed with every problem found, data/ untouched. write=False checks only."""
    from belgrade_stance.files import folder_swap
    from belgrade_stance_build.stages.data import check_target

    problems = Problems()
    if write:
        check_target(layout, problems)
        if problems:
            raise BuildFailed(problems, "data")
    metadata = read_corpus(layout)
    with folder_swap(layout.data, "data") if write else nullcontext() as folder:
        return _build(layout, metadata, folder)


def _build(layout: Layout, metadata: list[dict], folder: Path | None) -> dict:
    from belgrade_stance_build.stages.agreement import AgreementCounts
    from belgrade_stance_build.stages.consistency import SurfaceForms
    from belgrade_stance_build.stages.data import DataWriter, arrow_table, write_manifest
    from belgrade_stance_build.stages.rows import tables
    from belgrade_stance_schema.tables import KEY_COLUMNS, validate_corpus, validate_tables

    folds = {row["doc_id"]: i for i, row in enumerate(metadata)}
    problems, failed = Problems(), []
    agreement, surfaces, sizes = AgreementCounts(), SurfaceForms(), Sizes()
    split_of: dict[int, str] = {}  # a digest of every sentence text (spaces folded, lower case) → its split
    keys: dict[str, list[pa.Table]] = {name: [] for name in KEY_COLUMNS}
    writer = DataWriter(folder) if folder is not None else None
    try:
        for first in range(0, len(metadata), PART_DOCUMENTS):
            part: dict[str, dict] = {}
            for meta in metadata[first : first + PART_DOCUMENTS]:
                stage, products = read_document(layout, meta, problems)
                if stage is not None:
                    failed.append(stage)
                elif not problems:  # once anything failed, the rest of the input is only checked
                    part[meta["doc_id"]] = {"meta": meta, **products}
            if problems or not part:
                continue
            for doc_id, document in part.items():
                gold = document["annotations"].get(doc_id, {}).get("gold")
                if gold is not None:
                    where = layout.rel(layout.annotation_file("gold", doc_id))
                    surfaces.add_document(where, gold.entities, problems)
            if problems:
                failed.append("consistency")
                continue
            frames = tables(part, folds)
            _schema_problems(validate_tables(frames), problems)
            sentences = frames["sentences"]
            leaks = set()
            for text, split in zip(sentences["text"], sentences["split"]):
                key = " ".join(text.split()).lower()
                if split_of.setdefault(hash(key), split) != split:
                    leaks.add(key)
            for text in sorted(leaks):
                message = f"sentence text occurs in two splits: {text[:60]!r}"
                problems.add("table sentences", None, "split-leak", message)
            if problems:
                failed.append("tables")
                continue
            agreement.add(
                {d: p for doc in part.values() for d, p in doc["annotations"].items()}, frames["stance"]
            )
            for name, columns in KEY_COLUMNS.items():  # kept in Arrow: a few bytes a row, not Python objects
                keys[name].append(pa.Table.from_pandas(frames[name][columns], preserve_index=False))
            sizes.add(frames)
            if writer is not None:
                for config in CONFIGS:
                    writer.write(config, arrow_table(config, frames[config]))
        if not problems and all(keys.values()):
            _schema_problems(
                validate_corpus({n: pa.concat_tables(p).to_pandas() for n, p in keys.items()}), problems
            )
            failed.append("tables")
        files = writer.close() if writer is not None else None
    except BaseException:  # a failed write or an interrupt: close every file quietly, then stop
        for w in writer.writers.values() if writer is not None else ():
            with suppress(Exception):
                w.close()
            w.is_open = False  # else its __del__ tries again and prints a traceback
        raise
    if problems:
        raise BuildFailed(problems, next(s["name"] for s in STAGES if s["name"] in failed))
    report = agreement.report()
    manifest = write_manifest(folder, layout, files, metadata, report) if folder is not None else None
    return {"sizes": sizes, "agreement": report, "manifest": manifest, "summary": summary(sizes)}


# --------------------------------------------------------------------------- every stage


def build_all(layout: Layout) -> list[str]:
    """Every stage: data/, then the figures, the card's generated blocks and docs/errors.md.
    Returns the summary lines to print."""
    from belgrade_stance.files import clear_leftovers, exclusive
    from belgrade_stance_build.card.figures import write_figures
    from belgrade_stance_build.card.render import write_blocks
    from belgrade_stance_build.rules import write_rules_page

    with exclusive(layout.root / ".build.lock", f"waiting for another build of {layout.root} to finish"):
        clear_leftovers(layout.data, "data")
        result = build(layout, write=True)
        write_figures(layout)
        write_blocks(layout, diagram())
        write_rules_page(layout)
    return [
        f"built {layout.rel(layout.data)}, figures/, the card's generated blocks and docs/errors.md:",
        result["summary"],
    ]


INPUTS = "pyproject.toml raw results docs README.md DATASET_CARD.md CITATION.cff CHANGELOG.md".split()
"""What a build reads besides the code: copied into the temporary project of `build --check`."""


def same_output(a: Path, b: Path) -> bool:
    """Whether two outputs hold the same: Parquet by rows, schema and metadata, the manifest but
    for the files' sha256, figures by the numbers embedded in them (other library versions may
    write other bytes for the same content), anything else byte for byte."""
    import json

    import pyarrow.parquet as pq

    if not (a.is_file() and b.is_file()):
        return False
    if a.suffix == ".parquet":
        try:
            ta, tb = pq.read_table(a), pq.read_table(b)
        except (pa.ArrowException, OSError):  # a file cut short, or not Parquet
            return False
        return ta.equals(tb) and ta.schema.metadata == tb.schema.metadata
    if a.name == "manifest.json":
        ma, mb = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
        for m in (ma, mb):
            for entry in (e for splits in m.get("configs", {}).values() for e in splits.values()):
                entry.pop("sha256", None)
        return ma == mb
    if a.suffix == ".png":
        from PIL import Image

        with Image.open(a) as ia, Image.open(b) as ib:
            da, db = ia.text.get("Description"), ib.text.get("Description")
        return da is not None and da == db
    return filecmp.cmp(a, b, shallow=False)


def stale_outputs(layout: Layout) -> list[str]:
    """Every output file that a fresh build, in a temporary copy of the project, writes
    differently (or writes where the checkout has none, or not where it has one)."""
    from belgrade_stance.errors import Problem

    with tempfile.TemporaryDirectory(prefix="belgrade-stance-check-") as tmp:
        fresh = Layout(Path(tmp))
        for source in (layout.root / name for name in INPUTS if (layout.root / name).exists()):
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, fresh.root / source.name)
        build_all(fresh)
        out = []
        for pattern in (w for stage in STAGES for w in stage.get("writes", ())):
            files = {p.relative_to(fresh.root) for p in fresh.root.glob(pattern) if p.is_file()}
            files |= {p.relative_to(layout.root) for p in layout.root.glob(pattern) if p.is_file()}
            for rel in sorted(files):
                mine, theirs = layout.root / rel, fresh.root / rel
                if not same_output(mine, theirs):
                    why = "differs from" if mine.is_file() and theirs.is_file() else "is missing in one of"
                    message = f"{why} a fresh build (run belgrade-stance build)"
                    out.append(str(Problem(str(rel), None, "stale-output", message)))
        return out
