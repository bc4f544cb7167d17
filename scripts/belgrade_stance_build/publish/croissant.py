"""croissant.json of a Hub folder: Croissant 1.1 with the Responsible-AI fields.

One FileObject per Parquet file with its sha256, one FileSet and one RecordSet per config, whose
fields, types and descriptions come from schema/features.py. A list of structs (stance.holders,
sentences.entities, …) is a repeated field with one subField per key, read from the column by a
jsonPath transform. Class names follow the spec's categorical data: one sc:Enumeration record set
per label inventory (index → name), referred to by every ClassLabel field, nested ones included;
the gold label fields are also typed cr:Label. Splits follow the spec's splits: a cr:Split record
set (train, validation, test → cr:TrainingSplit, …) that every `split` field refers to, its value
read from the file's path.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import mlcroissant as mlc
from belgrade_stance_schema import inventory as inv
from belgrade_stance_schema.features import DESCRIPTIONS, features
from datasets import ClassLabel, List

from belgrade_stance.paths import split_file
from belgrade_stance.verify import sha256_file
from belgrade_stance_build.card.render import corpus_figures, year_span

ENUMERATIONS = {  # the class names of every ClassLabel: record set id → (names, meaning of each name)
    "stance_labels": (inv.STANCE_LABELS, {}),
    "holder_types": (tuple(inv.HOLDER_TYPES), inv.HOLDER_TYPES),
    "entity_types": (tuple(inv.ENTITY_TYPES), inv.ENTITY_TYPES),
    "ner_tags": (inv.NER_TAGS, {}),
}
GOLD_LABELS = {"stance/label", "holders/label", "sentences/ner_tags", "sentences/entities/label"}
SPLIT_URLS = {"train": "cr:TrainingSplit", "validation": "cr:ValidationSplit", "test": "cr:TestSplit"}
TEXT, INTEGER = mlc.DataType.TEXT, mlc.DataType.INTEGER
DATA_TYPES = {"string": TEXT, "int32": INTEGER, "int64": INTEGER, "bool": mlc.DataType.BOOL}


def rai(n_docs: int, years: str, test_docs: int) -> dict:
    """The Responsible-AI fields; the figures come from the built documents table."""
    return {
        "data_collection": (
            f"{n_docs} English news articles ({years}) about Russian anti-war emigrants in Serbia, collected "
            "as text files and copied byte for byte; boilerplate (navigation, bylines, footers) is marked as "
            "typed ranges, never deleted. Metadata (outlet, publisher, author, date with precision and "
            "evidence) was curated by hand from the texts."
        ),
        "data_collection_type": ["Web Scraping", "Manual Human Curation"],
        "data_preprocessing_protocol": [
            "Sentence segmentation drafted with spaCy and corrected by reading; tokens by spaCy's rule-based "
            "English tokenizer; every raw text checked against its recorded sha256 at build time."
        ],
        "data_annotation_protocol": [
            "Every body sentence labelled for every target as favor, against or none (SemEval-2016 "
            "definitions), with holder and evidence span, and every named mention with an OntoNotes type "
            "and canonical id, following the shipped annotation guidelines. Two independent passes (A, B; "
            "B blind to A); every disagreement adjudicated against the guidelines and logged with a reason."
        ],
        "data_annotation_platform": ["Standoff JSON Lines files validated by the build's pandera schemas."],
        "data_annotation_analysis": [
            "Cohen's kappa, raw agreement and F_avg of pass B against pass A, holder and entity agreement, "
            "computed at build time (data/agreement.json and the card). Both passes come from the same "
            "model family, so agreement is an upper bound on reliability."
        ],
        "annotations_per_item": "2 independent passes plus adjudication of disagreements",
        "machine_annotation_tools": [
            "Passes A and B and the adjudication were made by separate instances of a large language model "
            "that read each sentence against the written guidelines; no human annotator took part."
        ],
        "data_biases": [
            f"{n_docs} articles on one topic; the emigrants' anti-war perspective dominates and pro-war "
            "stances appear mostly as reported views of unnamed groups; labels are skewed towards none; all "
            "texts are English-language reporting for international readers."
        ],
        "data_limitations": [
            f"Very small: the test split is {test_docs} document(s), so scores have wide confidence "
            "intervals; labels are machine-generated; some texts are machine rewrites with garbled sentences."
        ],
        "data_use_cases": [
            "Target-stance classification benchmark (macro-F1 over favor and against, leave-one-document-out "
            "cross-validation); stance-holder analysis; named-entity recognition on news. Not for claims "
            "about real people or populations."
        ],
        "data_social_impact": (
            "Makes stance and its holders in news explicit; misuse could expose the political opinions of "
            "named emigrants."
        ),
        "personal_sensitive_information": [
            "The texts name private individuals together with their political opinions about the Russian "
            "government and the war (sensitive data). Do not profile, identify, contact or track them, nor "
            "link their names to other data."
        ],
        "data_release_maintenance_plan": (
            "Versioned releases; every number in the card is regenerated from the data at build time; "
            "corrections and removal requests through the issue tracker lead to a new version recorded in "
            "the changelog."
        ),
    }


def _literal(ctx, rid: str, data_type, description: str, columns: list[tuple], rows) -> mlc.RecordSet:
    """A record set of literal rows, keyed by its first column (columns: name, description, type)."""
    fields = [
        mlc.Field(ctx=ctx, id=f"{rid}/{c}", name=c, description=d, data_types=[t]) for c, d, t in columns
    ]
    data = [{f"{rid}/{c[0]}": v for c, v in zip(columns, row)} for row in rows]
    return mlc.RecordSet(
        ctx=ctx,
        id=rid,
        name=rid,
        key=f"{rid}/{columns[0][0]}",
        data_types=[data_type],
        description=description,
        fields=fields,
        data=data,
    )


def _class_sets(ctx) -> list[mlc.RecordSet]:
    """One enumeration record set per label inventory (index → name), and the splits (cr:Split)."""
    sets = []
    for rid, (names, meanings) in ENUMERATIONS.items():
        columns = [("index", "The integer stored in the data.", INTEGER), ("name", "The class name.", TEXT)]
        columns += [("description", "What the class means.", TEXT)] if meanings else []
        description = f"The class names of the {rid.replace('_', ' ')}: index (as stored) to name."
        rows = [(i, n, meanings.get(n)) for i, n in enumerate(names)]
        sets.append(_literal(ctx, rid, "https://schema.org/Enumeration", description, columns, rows))
    columns = [("name", "The split's name.", TEXT), ("url", "The split's Croissant type.", mlc.DataType.URL)]
    description = "The splits of every config; each record set's `split` field refers to one of them."
    return sets + [_literal(ctx, "splits", mlc.DataType.SPLIT, description, columns, SPLIT_URLS.items())]


def _field(
    ctx, config: str, path: str, feature, description: str, source, is_array: bool | None
) -> mlc.Field:
    """A field (path: its name, or list/key for a subField). A ClassLabel refers to its enumeration and
    says its indices; `split` refers to the splits."""
    if isinstance(feature, ClassLabel):
        enumeration = next(rid for rid, (names, _) in ENUMERATIONS.items() if tuple(feature.names) == names)
        references, types = f"{enumeration}/index", [INTEGER]
        description += " Indices: " + ", ".join(f"{i}={n}" for i, n in enumerate(feature.names)) + "."
    else:
        references, types = "splits/name" if path == "split" else None, [DATA_TYPES.get(feature.dtype, TEXT)]
    if f"{config}/{path}" in GOLD_LABELS:
        types.append("http://mlcommons.org/croissant/Label")
    return mlc.Field(
        ctx=ctx,
        id=f"{config}/{path}",
        name=path.rsplit("/", 1)[-1],
        description=description,
        data_types=types,
        is_array=is_array,
        source=source,
        references=mlc.Source(ctx=ctx, field=references) if references else None,
    )


def _fields(ctx, config: str) -> list[mlc.Field]:
    """The fields of a config's record set, in column order except that `split` comes first: it is
    read from the file's path, and mlcroissant 1.1.1 joins a record set on its first referencing
    field only and cannot join on a repeated one."""

    def source(extract: mlc.Extract, **transform) -> mlc.Source:
        transforms = [mlc.Transform(ctx=ctx, **transform)] if transform else []
        return mlc.Source(ctx=ctx, file_set=f"{config}-files", extract=extract, transforms=transforms)

    fields = []
    for name, feature in features(config).items():
        inner = feature.feature if isinstance(feature, List) else feature
        description, column = DESCRIPTIONS[config][name], mlc.Extract(ctx=ctx, column=name)
        if name == "split":  # from the file's path, so that a reader fetches only the files of a split
            path = mlc.Extract(ctx=ctx, file_property="fullpath")
            split = source(path, regex=rf"^(?:.*/)?{config}/({'|'.join(inv.SPLITS)})\.parquet$")
            fields.append(_field(ctx, config, name, inner, description, split, None))
        elif not isinstance(inner, dict):
            fields.append(
                _field(ctx, config, name, inner, description, source(column), inner is not feature or None)
            )
        else:  # a list of structs: one repeated subField per key, read by a jsonPath
            subfields = []
            for key, sub in inner.items():
                text = key + ("." if isinstance(sub, ClassLabel) else " of each item.")
                subfields.append(
                    _field(ctx, config, f"{name}/{key}", sub, text, source(column, json_path=key), True)
                )
            description += " A list of structs: one subField per key."
            fields.append(
                mlc.Field(
                    ctx=ctx,
                    id=f"{config}/{name}",
                    name=name,
                    description=description,
                    is_array=True,
                    data_types=[],
                    sub_fields=subfields,
                )
            )
    return sorted(fields, key=lambda field: field.name != "split")


def metadata(folder: Path) -> mlc.Metadata:
    """The Croissant metadata of the Hub folder's Parquet files."""
    ctx = mlc.Context(conforms_to="http://mlcommons.org/croissant/1.1")
    parquet, distribution, record_sets = ["application/x-parquet"], [], []
    for config in inv.CONFIGS:
        for s in inv.SPLITS:
            sha256, name = sha256_file(split_file(folder, config, s)), f"{config}-{s}"
            distribution.append(
                mlc.FileObject(
                    ctx=ctx,
                    id=name,
                    name=name,
                    content_url=f"{config}/{s}.parquet",
                    encoding_formats=parquet,
                    sha256=sha256,
                )
            )
        name = f"{config}-files"
        files = mlc.FileSet(
            ctx=ctx, id=name, name=name, encoding_formats=parquet, includes=[f"{config}/*.parquet"]
        )
        description = (
            f"The {config} config: every split of {config}/*.parquet (the split is in the `split` field). "
            "Lists of structs are repeated fields with one subField per key."
        )
        distribution.append(files)
        record_sets.append(
            mlc.RecordSet(
                ctx=ctx, id=config, name=config, description=description, fields=_fields(ctx, config)
            )
        )
    fig = corpus_figures(folder)
    return mlc.Metadata(
        ctx=ctx,
        name="belgrade-stance",
        description="English news sentences about Russian anti-war emigrants in Serbia, labelled for stance "
        f"({', '.join(inv.STANCE_LABELS)}) towards {len(inv.TARGETS)} targets with holders, and for named "
        "entities.",
        cite_as=f"belgrade-stance maintainers. belgrade-stance (dataset), version {inv.DATASET_VERSION}.",
        license=list(inv.LICENSES),
        version=inv.DATASET_VERSION,
        date_published=datetime.datetime.strptime(inv.RELEASED, "%Y-%m"),
        in_language=["en"],
        keywords=["stance detection", "named-entity recognition", "news", "Serbia", "Russian emigration"],
        distribution=distribution,
        record_sets=_class_sets(ctx) + record_sets,
        **rai(fig["n_docs"], year_span(fig["years"], "-"), fig["test_docs"]),
    )


def write_croissant(folder: Path) -> Path:
    """Write folder/croissant.json; raise ValueError with mlcroissant's issues if it is invalid."""
    md = metadata(folder)
    if md.ctx.issues.errors:
        raise ValueError("croissant metadata is invalid:\n" + "\n".join(sorted(md.ctx.issues.errors)))
    path = folder / "croissant.json"
    path.write_text(
        json.dumps(md.to_json(), indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    return path
