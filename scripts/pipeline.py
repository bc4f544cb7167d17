"""The pipeline in one place: every stage with its help line, inputs and outputs.

raw/ → metadata, texts, segments, annotations → documents, sentences, stance (validated by
schema/) → data/ (Parquet + manifest) → the installed package (src/belgrade_stance).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from belgrade_stance.paths import Layout
from schema.inventory import ANNOTATION_PASSES, SPLITS
from scripts.problems import BuildFailed, Problems


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


def read_inputs(layout: Layout) -> dict:
    """Run the input stages; raise BuildFailed with every problem of the first failing stage."""
    from scripts.agreement import check_adjudication
    from scripts.annotations import read_annotations
    from scripts.metadata import read_metadata
    from scripts.segments import read_segments
    from scripts.texts import read_texts

    problems = Problems()
    metadata = read_metadata(layout, problems)
    if problems:
        raise BuildFailed(problems, "metadata")
    texts = read_texts(layout, metadata, problems)
    _orphans(layout, {m["doc_id"] for m in metadata}, problems)
    if problems:
        raise BuildFailed(problems, "texts")
    segs = {}
    for row in metadata:
        seg = read_segments(layout, row["doc_id"], texts[row["doc_id"]], problems)
        if seg is not None:
            segs[row["doc_id"]] = seg
    if problems:
        raise BuildFailed(problems, "segments")
    annotations = read_annotations(layout, metadata, texts, segs, problems)
    if problems:
        raise BuildFailed(problems, "annotations")
    check_adjudication(layout, annotations, problems)
    if problems:
        raise BuildFailed(problems, "adjudication")
    folds = {row["doc_id"]: i for i, row in enumerate(metadata)}
    return {"metadata": metadata, "texts": texts, "segments": segs, "annotations": annotations, "folds": folds}


def build_tables(inputs: dict) -> dict:
    """Row generators of the documents, sentences and stance tables."""
    from scripts.documents import document_rows
    from scripts.sentences import sentence_rows
    from scripts.stance import stance_rows

    m, segs, ann, folds = inputs["metadata"], inputs["segments"], inputs["annotations"], inputs["folds"]
    return {
        "documents": document_rows(m, inputs["texts"], segs, ann, folds),
        "sentences": sentence_rows(m, segs, ann, folds),
        "stance": stance_rows(m, segs, ann, folds),
    }


def frames(tables: dict) -> dict[str, pd.DataFrame]:
    """pandas frames of the tables, with the schema's dtypes also when a table is empty."""
    from schema.features import features
    from schema.tables import MODELS

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


def validate(dfs: dict[str, pd.DataFrame]) -> None:
    """pandera validation of every table, lazily; raise BuildFailed with the full report."""
    from schema.tables import sentence_text_leaks, validate_tables

    problems = Problems()
    for table, record, check, case, column in validate_tables(dfs):
        problems.add(f"table {table}", None, "schema", f"record {record!r} column {column}: {check} (failure: {case})")
    for text in sentence_text_leaks(dfs["sentences"]):
        problems.add("table sentences", None, "split-leak", f"sentence text occurs in two splits: {text[:60]!r}")
    if problems:
        raise BuildFailed(problems, "tables")


def summary(dfs: dict[str, pd.DataFrame]) -> str:
    lines = [f"{'split':<11}{'documents':>10}{'sentences':>10}{'entities':>10}{'stance rows':>12}"]
    for split in SPLITS:
        docs = dfs["documents"][dfs["documents"]["split"] == split]
        sents = dfs["sentences"][dfs["sentences"]["split"] == split]
        ents = int(sents["entities"].map(len).sum())
        stance = int((dfs["stance"]["split"] == split).sum())
        lines.append(f"{split:<11}{len(docs):>10}{len(sents):>10}{ents:>10}{stance:>12}")
    return "\n".join(lines)


def build(layout: Layout, write: bool = True) -> dict:
    """Run every stage. Returns {'tables', 'agreement', 'manifest', 'summary'}; raises BuildFailed."""
    from scripts.agreement import agreement
    from scripts.release import write_data

    inputs = read_inputs(layout)
    dfs = frames(build_tables(inputs))
    agree = agreement(inputs["annotations"], dfs["stance"])
    metadata = inputs["metadata"]
    del inputs  # the tables hold all that is written; free the parsed passes
    validate(dfs)
    manifest = write_data(layout, dfs, metadata, agree) if write else None
    return {"tables": dfs, "agreement": agree, "manifest": manifest, "summary": summary(dfs)}
