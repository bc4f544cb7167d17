"""The pipeline in one place: every stage with its help line, inputs and outputs.

raw/ → metadata, texts, segments, annotations → documents, sentences, stance (validated by
schema/) → data/ (Parquet + manifest) → the installed package (src/belgrade_stance).

Documents stream through the stages in parts of PART_DOCUMENTS: each part is read, checked,
turned into tables, validated and encoded to Arrow, then its parsed input is dropped; the rules
that span parts run at the end on the key columns. Memory stays near the size of the output.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.inventory import ANNOTATION_PASSES, CONFIGS, SPLITS
from belgrade_stance_build.problems import BuildFailed, Problems


@dataclass(frozen=True)
class Stage:
    name: str
    help: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


STAGES = (
    Stage("metadata", "Read and check the hand-curated document metadata.",
          ("raw/metadata.csv", "scripts/metadata.py"), ("metadata rows",)),
    Stage("texts", "Read the raw texts byte for byte and check them against the recorded sha256.",
          ("raw/texts/*", "scripts/texts.py"), ("texts",)),
    Stage("segments", "Check boilerplate ranges and the gold sentence segmentation; derive body and paragraphs.",
          ("raw/segments/*.jsonl", "scripts/segments.py"), ("segmentations",)),
    Stage("annotations", "Check entity and stance records of every pass (a, b, gold) against the text.",
          ("raw/annotations/*/*.jsonl", "scripts/annotations.py", "scripts/tokens.py"), ("annotations",)),
    Stage("adjudication", "Check that every A/B disagreement has an adjudication record that matches gold.",
          ("raw/adjudication/*.jsonl", "scripts/agreement.py"), ()),
    Stage("tables", "Build the documents, sentences and stance tables and validate them with pandera.",
          ("scripts/documents.py", "scripts/sentences.py", "scripts/stance.py", "schema/tables.py"),
          ("documents", "sentences", "stance")),
    Stage("agreement", "Compute agreement of passes A and B (Cohen's kappa, F_avg, entity F1, holders).",
          ("scripts/agreement.py",), ("data/agreement.json",)),
    Stage("data", "Write Parquet per config and split, agreement and the manifest, atomically.",
          ("scripts/release.py", "schema/features.py"), ("data/*/*.parquet", "data/agreement.json", "data/manifest.json")),
)


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


PART_DOCUMENTS = 100


def read_corpus(layout: Layout) -> tuple[list[dict], dict[str, str]]:
    """Metadata and texts of every document, plus the check for orphan files."""
    from belgrade_stance_build.stages.metadata import read_metadata
    from belgrade_stance_build.stages.texts import read_texts

    problems = Problems()
    metadata = read_metadata(layout, problems)
    if problems:
        raise BuildFailed(problems, "metadata")
    texts = read_texts(layout, metadata, problems)
    _orphans(layout, {m["doc_id"] for m in metadata}, problems)
    if problems:
        raise BuildFailed(problems, "texts")
    return metadata, texts


def read_document(layout: Layout, meta: dict, text: str, problems: Problems) -> tuple[str | None, dict]:
    """Segments, annotation passes and adjudication of one document.

    Returns (None, inputs) if all hold, else (name of the first failing stage, {}).
    """
    from belgrade_stance_build.stages.adjudication import check_adjudication
    from belgrade_stance_build.stages.annotations import read_annotations
    from belgrade_stance_build.stages.segments import read_segments

    doc_id = meta["doc_id"]
    before = len(problems)
    seg = read_segments(layout, doc_id, text, problems)
    if seg is None or len(problems) > before:
        return "segments", {}
    annotations = read_annotations(layout, [meta], {doc_id: text}, {doc_id: seg}, problems)
    if len(problems) > before:
        return "annotations", {}
    check_adjudication(layout, annotations, problems)
    if len(problems) > before:
        return "adjudication", {}
    return None, {"segment": seg, "annotations": annotations}


def build_tables(inputs: dict) -> dict:
    """Row generators of the documents, sentences and stance tables."""
    from belgrade_stance_build.stages.documents import document_rows
    from belgrade_stance_build.stages.sentences import sentence_rows
    from belgrade_stance_build.stages.stance import stance_rows

    m, segs, ann, folds = inputs["metadata"], inputs["segments"], inputs["annotations"], inputs["folds"]
    return {
        "documents": document_rows(m, inputs["texts"], segs, ann, folds),
        "sentences": sentence_rows(m, segs, ann, folds),
        "stance": stance_rows(m, segs, ann, folds),
    }


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
    """The documents of one part, from parsed input to validated Arrow tables."""

    def __init__(self) -> None:
        self.metadata: list[dict] = []
        self.texts: dict[str, str] = {}
        self.segments: dict = {}
        self.annotations: dict = {}

    def add(self, meta: dict, text: str, inputs: dict) -> None:
        doc_id = meta["doc_id"]
        self.metadata.append(meta)
        self.texts[doc_id] = text
        self.segments[doc_id] = inputs["segment"]
        self.annotations.update(inputs["annotations"])

    def __len__(self) -> int:
        return len(self.metadata)

    def tables(self, folds: dict[str, int]) -> dict[str, pd.DataFrame]:
        return frames(build_tables({"metadata": self.metadata, "texts": self.texts, "segments": self.segments,
                                    "annotations": self.annotations, "folds": folds}))


class Corpus:
    """What the parts leave behind: Arrow tables, the documents frame, key columns, agreement."""

    def __init__(self, keep_frames: bool = False) -> None:
        from belgrade_stance_build.stages.agreement import AgreementCounts

        self.arrow: dict[str, list[pa.Table]] = {c: [] for c in CONFIGS}
        self.documents: list[pd.DataFrame] = []
        self.keys: dict[str, list[pd.DataFrame]] = {"sentences": [], "stance": []}
        self.frames: dict[str, list[pd.DataFrame]] | None = {c: [] for c in CONFIGS} if keep_frames else None
        self.agreement = AgreementCounts()

    def add(self, part: Part, folds: dict[str, int], problems: Problems) -> None:
        """Build, validate and encode one part; schema failures go to problems."""
        from belgrade_stance_schema.tables import KEY_COLUMNS, validate_tables
        from belgrade_stance_build.stages.data import arrow_table

        dfs = part.tables(folds)
        self.agreement.add(part.annotations, dfs["stance"])
        failures = validate_tables(dfs)
        _schema_problems(failures, problems)
        if failures:
            return
        self.documents.append(dfs["documents"])
        for name, cols in KEY_COLUMNS.items():
            self.keys[name].append(dfs[name][cols])
        for config in CONFIGS:
            self.arrow[config].append(arrow_table(config, dfs[config]))
            if self.frames is not None:
                self.frames[config].append(dfs[config])

    def validate(self, problems: Problems) -> None:
        """The rules that span parts, and sentence texts leaking across splits."""
        from belgrade_stance_schema.tables import sentence_text_leaks, validate_corpus

        keys = {name: _concat(parts) for name, parts in self.keys.items()}
        _schema_problems(validate_corpus(_concat(self.documents), keys), problems)
        for text in sentence_text_leaks(keys["sentences"]):
            problems.add("table sentences", None, "split-leak", f"sentence text occurs in two splits: {text[:60]!r}")

    def tables(self) -> dict[str, pa.Table]:
        from belgrade_stance_schema.features import features

        return {c: pa.concat_tables(parts) if parts else features(c).arrow_schema.empty_table()
                for c, parts in self.arrow.items()}


def counts(t: dict[str, pa.Table]) -> dict[str, dict[str, int]]:
    """split → documents, sentences, entities, stance rows of the built Arrow tables."""
    import pyarrow.compute as pc

    out = {}
    for split in SPLITS:
        sents = t["sentences"].filter(pc.equal(t["sentences"]["split"], split))
        out[split] = {
            "documents": int(pc.sum(pc.equal(t["documents"]["split"], split)).as_py() or 0),
            "sentences": sents.num_rows,
            "entities": int(pc.sum(pc.list_value_length(sents["entities"])).as_py() or 0),
            "stance": int(pc.sum(pc.equal(t["stance"]["split"], split)).as_py() or 0),
        }
    return out


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
    """Automatic cyclic GC off while parts are built, a full collection after each part instead.

    Parsing allocates around a million small acyclic objects per 100 documents; the automatic
    collector would traverse all live objects again and again for no gain (about a third of the
    build time at 1,000 documents). Cycles are still collected, once per part.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield gc.collect
    finally:
        if enabled:
            gc.enable()


def build(layout: Layout, write: bool = True, keep_frames: bool = False) -> dict:
    """Run every stage. Returns {'arrow', 'agreement', 'manifest', 'summary'} (and 'tables', the
    pandas frames, if keep_frames); raises BuildFailed with every problem found."""
    with _collect_per_part() as collect:
        return _build(layout, write, keep_frames, collect)


def _build(layout: Layout, write: bool, keep_frames: bool, collect) -> dict:
    from belgrade_stance_build.stages.data import write_data

    metadata, texts = read_corpus(layout)
    folds = {row["doc_id"]: i for i, row in enumerate(metadata)}
    problems = Problems()
    failed: set[str] = set()
    corpus = Corpus(keep_frames)
    part = Part()
    for n, meta in enumerate(metadata, 1):
        stage, inputs = read_document(layout, meta, texts[meta["doc_id"]], problems)
        if stage is not None:
            failed.add(stage)
        elif not problems:  # once anything failed, only check the remaining input
            part.add(meta, texts[meta["doc_id"]], inputs)
        del inputs
        if part and (len(part) == PART_DOCUMENTS or n == len(metadata)):
            if not problems:  # a part is built only while all input so far holds
                corpus.add(part, folds, problems)
                if problems:
                    failed.add("tables")
            part = Part()
            collect()
    if not problems:
        corpus.validate(problems)
        if problems:
            failed.add("tables")
    if problems:
        raise BuildFailed(problems, next(s.name for s in STAGES if s.name in failed))
    tables = corpus.tables()
    agreement = corpus.agreement.report()
    manifest = write_data(layout, tables, metadata, agreement) if write else None
    result = {"arrow": tables, "agreement": agreement, "manifest": manifest, "summary": summary(counts(tables))}
    if keep_frames:
        result["tables"] = {c: _concat(parts) if parts else frames({c: []})[c] for c, parts in corpus.frames.items()}
    return result
