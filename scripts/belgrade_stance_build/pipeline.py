"""The build stages in one place: each with its help line, scope, inputs and outputs, and the
runner that executes them in the declared order.

raw/ → metadata, texts, segments, annotations, adjudication → documents, sentences, stance
(validated by belgrade_stance_schema) → data/ (Parquet + manifest) → the installed package.

Documents stream through the stages in parts of PART_DOCUMENTS: each part is read, checked,
turned into tables, validated, and written as row groups of the new data folder; then it is
dropped. What spans parts is kept as key columns and counts (belgrade_stance_schema.tables.
KEY_COLUMNS, SplitLeaks, AgreementCounts, the split sizes), so memory is bounded by the part,
not by the corpus.
"""

from __future__ import annotations

import gc
from collections import deque
from importlib import import_module
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from belgrade_stance_build.layout import Layout
from belgrade_stance_build.problems import BuildFailed, Problems
from belgrade_stance_schema.inventory import ANNOTATION_PASSES, CONFIGS, SPLITS

PART_DOCUMENTS = 50


@dataclass(frozen=True)
class Stage:
    name: str
    help: str
    scope: str  # corpus: once, first; document: per document; part: per part; release: once, last
    inputs: tuple[str, ...]  # raw files (paths with globs) and products of earlier stages (bare names)
    outputs: tuple[str, ...]  # products (bare names) and files under data/
    code: tuple[str, ...]  # modules whose source the stage runs (inputs of the workflow's build step)


STAGES = (
    Stage("metadata", "Read and check the hand-curated document metadata and the raw folders' listing.", "corpus",
          ("raw/metadata.csv", "raw/texts/*", "raw/segments/*.jsonl", "raw/annotations/*/*.jsonl",
           "raw/adjudication/*.jsonl"), ("metadata",),
          ("belgrade_stance_build.stages.metadata", "belgrade_stance_build.stages.texts",
           "belgrade_stance_schema.records")),
    Stage("texts", "Read a raw text byte for byte and check it against the recorded sha256.", "document",
          ("raw/texts/*", "metadata"), ("text",), ("belgrade_stance_build.stages.texts",)),
    Stage("segments", "Check boilerplate ranges and the gold sentence segmentation; derive body and paragraphs.",
          "document", ("raw/segments/*.jsonl", "text"), ("segmentation",),
          ("belgrade_stance_build.stages.segments", "belgrade_stance_build.stages.records",
           "belgrade_stance_schema.records")),
    Stage("annotations", "Check entity and stance records of every pass (a, b, gold) against the text.", "document",
          ("raw/annotations/*/*.jsonl", "metadata", "text", "segmentation"), ("annotations",),
          ("belgrade_stance_build.stages.annotations", "belgrade_stance_build.stages.tokens")),
    Stage("adjudication", "Check that every A/B disagreement has an adjudication record that matches gold.",
          "document", ("raw/adjudication/*.jsonl", "annotations"), (),
          ("belgrade_stance_build.stages.adjudication",)),
    Stage("tables", "Build the documents, sentences, stance and holders tables of a part and validate them with pandera.",
          "part", ("metadata", "text", "segmentation", "annotations"), ("documents", "sentences", "stance", "holders"),
          ("belgrade_stance_build.stages.documents", "belgrade_stance_build.stages.sentences",
           "belgrade_stance_build.stages.stance", "belgrade_stance_build.stages.holders", "belgrade_stance_schema.tables", "belgrade_stance_schema.features",
           "belgrade_stance_schema.inventory")),
    Stage("consistency", "Check corpus-wide that a surface form has one entity type and id (exceptions logged).",
          "part", ("annotations",), (), ("belgrade_stance_build.stages.consistency",)),
    Stage("agreement", "Count agreement of passes A and B (Cohen's kappa, F_avg, entity F1, holders).", "part",
          ("annotations", "stance"), ("data/agreement.json",),
          ("belgrade_stance_build.stages.agreement", "belgrade_stance.evaluate")),
    Stage("data", "Write Parquet per config and split as row groups, agreement and the manifest; swap data/ in.",
          "release", ("documents", "sentences", "stance", "holders", "data/agreement.json"),
          ("data/*/*.parquet", "data/agreement.json", "data/manifest.json"), ("belgrade_stance_build.stages.data",)),
)


def check_order(stages=STAGES) -> list[str]:
    """Every product a stage reads is made by an earlier stage: problems with the declaration."""
    made: set[str] = set()
    out = []
    for stage in stages:
        for name in stage.inputs:
            if not name.startswith(("raw/", "data/")) and name not in made:
                out.append(f"stage {stage.name!r} reads {name!r}, which no earlier stage makes")
        made.update(stage.outputs)
    return out


# --------------------------------------------------------------------------- stages of one document

def _texts(layout: Layout, meta: dict, done: dict, problems: Problems):
    from belgrade_stance_build.stages.texts import read_text

    return read_text(layout, meta, problems)


def _segments(layout: Layout, meta: dict, done: dict, problems: Problems):
    from belgrade_stance_build.stages.segments import read_segments

    return read_segments(layout, meta["doc_id"], done["texts"], problems)


def _annotations(layout: Layout, meta: dict, done: dict, problems: Problems):
    from belgrade_stance_build.stages.annotations import read_annotations

    doc_id = meta["doc_id"]
    return read_annotations(layout, [meta], {doc_id: done["texts"]}, {doc_id: done["segments"]}, problems)


def _adjudication(layout: Layout, meta: dict, done: dict, problems: Problems):
    from belgrade_stance_build.stages.adjudication import check_adjudication

    check_adjudication(layout, done["annotations"], problems)
    return True


DOCUMENT_STEPS: dict[str, Callable] = {
    "texts": _texts, "segments": _segments, "annotations": _annotations, "adjudication": _adjudication,
}


def read_document(layout: Layout, meta: dict, problems: Problems) -> tuple[str | None, dict]:
    """Run the document stages in their declared order on one document.

    Returns (None, products) if all hold, else (name of the first failing stage, {})."""
    done: dict = {}
    before = len(problems)
    for stage in STAGES:
        if stage.scope != "document":
            continue
        value = DOCUMENT_STEPS[stage.name](layout, meta, done, problems)
        if value is None or len(problems) > before:
            return stage.name, {}
        done[stage.name] = value
    return None, done


# --------------------------------------------------------------------------- corpus and parts

def _orphans(layout: Layout, doc_ids: set[str], problems: Problems) -> None:
    """Segment or annotation files of documents the metadata does not list."""
    folders = [layout.segments, layout.raw / "adjudication"] + [layout.annotations / p for p in ANNOTATION_PASSES]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix != ".jsonl" or path.stem not in doc_ids:
                problems.add(layout.rel(path), None, "orphan-file",
                             f"no document {path.stem!r} in {layout.rel(layout.metadata)}")
    if layout.annotations.is_dir():
        for path in sorted(layout.annotations.iterdir()):
            if path.name not in ANNOTATION_PASSES:
                problems.add(layout.rel(path), None, "unknown-pass",
                             f"annotation folder must be one of {list(ANNOTATION_PASSES)}")


def read_corpus(layout: Layout) -> list[dict]:
    """The metadata rows, and the raw folders' listing checked against them (stage metadata)."""
    from belgrade_stance_build.stages.metadata import read_metadata
    from belgrade_stance_build.stages.texts import check_listing

    problems = Problems()
    metadata = read_metadata(layout, problems)
    if not problems:
        check_listing(layout, metadata, problems)
        _orphans(layout, {m["doc_id"] for m in metadata}, problems)
    if problems:
        raise BuildFailed(problems, "metadata")
    return metadata


def frames(tables: dict) -> dict[str, pd.DataFrame]:
    """pandas frames of the tables, with the schema's dtypes also when a table is empty."""
    from belgrade_stance_schema.features import features
    from belgrade_stance_schema.tables import MODELS

    out = {}
    for name, rows in tables.items():
        columns: dict[str, list] = {c: [] for c in features(name)}
        for row in rows:  # column by column: no per-row dicts kept, no 2-D object array
            for c, values in columns.items():
                values.append(row[c])
        df = pd.DataFrame(columns)
        if df.empty:
            schema = MODELS[name].to_schema()
            df = df.astype({col: str(c.dtype) for col, c in schema.columns.items() if str(c.dtype) != "object"})
        out[name] = df
    return out


def _schema_problems(failures: list[tuple], problems: Problems) -> None:
    for table, record, check, case, column in failures:
        problems.add(f"table {table}", None, "schema", f"record {record!r} column {column}: {check} (failure: {case})")


class Part:
    """The documents of one part, from parsed input to validated tables."""

    def __init__(self) -> None:
        self.metadata: list[dict] = []
        self.texts: dict[str, str] = {}
        self.segments: dict = {}
        self.annotations: dict = {}

    def add(self, meta: dict, products: dict) -> None:
        doc_id = meta["doc_id"]
        self.metadata.append(meta)
        self.texts[doc_id] = products["texts"]
        self.segments[doc_id] = products["segments"]
        self.annotations.update(products["annotations"])

    def __len__(self) -> int:
        return len(self.metadata)

    def tables(self, folds: dict[str, int]) -> dict[str, pd.DataFrame]:
        """Stage tables: the row generators of the three tables, as frames."""
        from belgrade_stance_build.stages.documents import document_rows
        from belgrade_stance_build.stages.holders import holder_rows
        from belgrade_stance_build.stages.sentences import sentence_rows
        from belgrade_stance_build.stages.stance import stance_rows

        m, segs, ann = self.metadata, self.segments, self.annotations
        return frames({
            "documents": document_rows(m, self.texts, segs, ann, folds),
            "sentences": sentence_rows(m, segs, ann, folds),
            "stance": stance_rows(m, segs, ann, folds),
            "holders": holder_rows(m, segs, ann, folds),
        })


@dataclass
class BuiltPart:
    """A part after the document stages and the tables stage, as the writing side needs it: its
    problems (and the stages that failed), and when all holds its tables encoded to Arrow, their
    key columns and sizes, its agreement counts (and its pandas frames, if asked for). Arrow
    tables cross between processes as buffers, not as Python objects."""

    problems: list
    failed: set
    agreement: object
    tables: dict | None = None
    keys: dict | None = None
    sizes: dict | None = None
    frames: dict | None = None
    reads: dict | None = None  # sha256 of the raw files read, as read
    surfaces: object = None  # the part's gold surface forms (stages.consistency)


def _no_sizes() -> dict[str, dict[str, int]]:
    return {s: {"documents": 0, "sentences": 0, "entities": 0, "stance": 0} for s in SPLITS}


def _sizes(dfs: dict[str, pd.DataFrame]) -> dict[str, dict[str, int]]:
    sizes = _no_sizes()
    for split, n in dfs["documents"]["split"].value_counts().items():
        sizes[split]["documents"] += int(n)
    for split, rows in dfs["sentences"].groupby("split"):
        sizes[split]["sentences"] += len(rows)
        sizes[split]["entities"] += int(rows["entities"].map(len).sum())
    for split, n in dfs["stance"]["split"].value_counts().items():
        sizes[split]["stance"] += int(n)
    return sizes


def build_part(root: str, metadata: list[dict], folds: dict[str, int], keep_frames: bool = False) -> BuiltPart:
    """Read, check, tabulate, validate and encode the documents of one part (in a worker process or not)."""
    from belgrade_stance_build.stages.agreement import AgreementCounts
    from belgrade_stance_build.stages.consistency import SurfaceForms
    from belgrade_stance_build.stages.data import arrow_table
    from belgrade_stance_schema.tables import KEY_COLUMNS, validate_tables

    layout, problems, failed, part = Layout(Path(root)), Problems(), set(), Part()
    for meta in metadata:
        stage, products = read_document(layout, meta, problems)
        if stage is not None:
            failed.add(stage)
        elif not problems:  # once anything failed, only check the rest of the part's input
            part.add(meta, products)
    built = BuiltPart(problems.items, failed, AgreementCounts(), reads=layout.reads, surfaces=SurfaceForms())
    if not part or problems:
        return built
    for doc_id, passes in part.annotations.items():
        if "gold" in passes:
            built.surfaces.add_document(layout.rel(layout.annotation_file("gold", doc_id)), passes["gold"].entities, problems)
    if problems:
        failed.add("consistency")
        return built
    dfs = part.tables(folds)
    built.agreement.add(part.annotations, dfs["stance"])
    _schema_problems(validate_tables(dfs), problems)
    if problems:
        failed.add("tables")
        return built
    built.tables = {config: arrow_table(config, dfs[config]) for config in CONFIGS}
    built.keys = {name: dfs[name][cols] for name, cols in KEY_COLUMNS.items()}
    built.sizes = _sizes(dfs)
    built.frames = dfs if keep_frames else None
    return built


WORKER_MODULES = tuple(dict.fromkeys(m for stage in STAGES for m in stage.code if stage.scope in ("document", "part")))
"""The modules the workers run: imported once before they are forked, so their pages are shared."""
WORKERS = 2
"""Processes that build parts side by side when a corpus has more than one part."""
AHEAD = WORKERS + 1
"""Parts handed to the workers ahead of the one being written: bounds the memory of parts in flight."""


def _worker_start() -> None:
    gc.disable()  # as in the serial build: a young-generation collection after each part instead


def _worker_build_part(root: str, metadata: list[dict], folds: dict[str, int], keep_frames: bool) -> BuiltPart:
    built = build_part(root, metadata, folds, keep_frames)
    gc.collect(0)
    return built


def built_parts(layout: Layout, parts: list[list[dict]], folds: dict[str, int], collect,
                keep_frames: bool = False) -> Iterator[BuiltPart]:
    """Every part built, in order: in this process for a single part, else in WORKERS processes
    forked from this one (they share its imported libraries' memory; Arrow re-creates its thread
    pools after a fork), at most AHEAD parts ahead."""
    root = str(layout.root)
    if len(parts) == 1 or WORKERS < 1:
        for metadata in parts:
            yield build_part(root, metadata, {m["doc_id"]: folds[m["doc_id"]] for m in metadata}, keep_frames)
            collect()
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    for module in WORKER_MODULES:  # imported before the fork: the workers share their pages
        import_module(module)
    context = multiprocessing.get_context("fork")
    pending: deque = deque()
    with ProcessPoolExecutor(WORKERS, mp_context=context, initializer=_worker_start) as pool:
        try:
            for metadata in parts:
                pending.append(pool.submit(_worker_build_part, root, metadata,
                                           {m["doc_id"]: folds[m["doc_id"]] for m in metadata}, keep_frames))
                if len(pending) > AHEAD:
                    yield pending.popleft().result()
                    collect()
            while pending:
                yield pending.popleft().result()
                collect()
        finally:
            for future in pending:
                future.cancel()


class Corpus:
    """What the parts leave behind: key columns, leak digests, agreement and size counts, and
    (when writing) the Parquet files of the new data folder."""

    def __init__(self, writer=None, keep_frames: bool = False) -> None:
        from belgrade_stance_build.stages.agreement import AgreementCounts
        from belgrade_stance_schema.tables import KEY_COLUMNS, SplitLeaks

        self.writer = writer
        self.keys: dict[str, list[pd.DataFrame]] = {name: [] for name in KEY_COLUMNS}
        self.leaks = SplitLeaks()
        self.frames: dict[str, list[pd.DataFrame]] | None = {c: [] for c in CONFIGS} if keep_frames else None
        self.agreement = AgreementCounts()
        self.sizes = _no_sizes()
        from belgrade_stance_build.stages.consistency import SurfaceForms

        self.surfaces = SurfaceForms()

    def add(self, built: BuiltPart, problems: Problems) -> None:
        """One part's validated tables: the rules across parts, then its rows to the data folder."""
        self.agreement.merge(built.agreement)
        self.surfaces.merge(built.surfaces, problems)
        sentences = built.tables["sentences"]
        for text in self.leaks.add(sentences["text"].to_pylist(), sentences["split"].to_pylist()):
            problems.add("table sentences", None, "split-leak", f"sentence text occurs in two splits: {text[:60]!r}")
        if problems:
            return
        for name, frame in built.keys.items():
            self.keys[name].append(frame)
        for split, counts in built.sizes.items():
            for k, n in counts.items():
                self.sizes[split][k] += n
        for config in CONFIGS:
            if self.writer is not None:
                self.writer.write(config, built.tables[config])
            if self.frames is not None:
                self.frames[config].append(built.frames[config])

    def validate(self, problems: Problems) -> None:
        """The rules that span parts, on the key columns."""
        from belgrade_stance_schema.tables import validate_corpus

        if all(self.keys.values()):
            _schema_problems(validate_corpus({name: _concat(parts) for name, parts in self.keys.items()}), problems)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)


def summary(counts: dict[str, dict[str, int]]) -> str:
    lines = [f"{'split':<11}{'documents':>10}{'sentences':>10}{'entities':>10}{'stance rows':>12}"]
    for split in SPLITS:
        c = counts[split]
        lines.append(f"{split:<11}{c['documents']:>10}{c['sentences']:>10}{c['entities']:>10}{c['stance']:>12}")
    return "\n".join(lines)


@contextmanager
def _collect_per_part():
    """Automatic cyclic GC off while parts are built, one young-generation collection after each
    part instead.

    Parsing allocates around a million small acyclic objects per 100 documents; the automatic
    collector would traverse all live objects again and again for no gain (about a third of the
    build time at 1,000 documents). With it off, every object made since the last collection is
    in generation 0, so collecting generation 0 after a part frees the part's cycles without
    walking the long-lived heap (the imported libraries) once per part.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield lambda: gc.collect(0)
    finally:
        if enabled:
            gc.enable()


def build(layout: Layout, write: bool = True, keep_frames: bool = False) -> dict:
    """Run every stage. Returns {'sizes', 'agreement', 'manifest', 'summary'} (and 'tables', the
    pandas frames, if keep_frames); raises BuildFailed with every problem found, data/ untouched."""
    from belgrade_stance.files import folder_swap

    if write:
        from belgrade_stance_build.stages.data import check_target

        problems = Problems()
        check_target(layout, problems)
        if problems:
            raise BuildFailed(problems, "data")
    metadata = read_corpus(layout)
    with _collect_per_part() as collect, (folder_swap(layout.data, "data") if write else nullcontext()) as folder:
        return _build(layout, metadata, folder, keep_frames, collect)


def _build(layout: Layout, metadata: list[dict], folder, keep_frames: bool, collect) -> dict:
    from belgrade_stance_build.stages.data import DataWriter, write_manifest

    folds = {row["doc_id"]: i for i, row in enumerate(metadata)}
    parts = [metadata[i:i + PART_DOCUMENTS] for i in range(0, len(metadata), PART_DOCUMENTS)]
    problems = Problems()
    failed: set[str] = set()
    writer = DataWriter(folder) if folder is not None else None
    corpus = Corpus(writer, keep_frames)
    try:
        for built in built_parts(layout, parts, folds, collect, keep_frames):
            problems.items += built.problems
            failed |= built.failed
            layout.reads.update(built.reads)
            if not problems:  # nothing more is kept once anything failed; the rest is still checked
                corpus.add(built, problems)
                if problems:
                    failed.add("consistency" if problems.rules() == {"inconsistent-entity"} else "tables")
            del built
        if not problems:
            corpus.validate(problems)
            if problems:
                failed.add("tables")
    finally:
        files = writer.close() if writer is not None else None
    if problems:
        raise BuildFailed(problems, next(s.name for s in STAGES if s.name in failed))
    agreement = corpus.agreement.report()
    manifest = write_manifest(folder, layout, files, metadata, agreement) if folder is not None else None
    result = {"sizes": corpus.sizes, "agreement": agreement, "manifest": manifest, "summary": summary(corpus.sizes)}
    if keep_frames:
        result["tables"] = {c: _concat(parts) if parts else frames({c: []})[c] for c, parts in corpus.frames.items()}
    return result
