"""Stage: croissant — croissant.json (Croissant 1.1 with the Responsible-AI fields) of a Hub folder.

One FileObject per Parquet file with its sha256, one FileSet and one RecordSet per config; the
field list, types and descriptions come from schema/features.py, the RAI texts from here. A list
of structs (stance.holders, sentences.entities, …) is a repeated field with one subField per key,
each read from the column by a jsonPath transform. Class names follow the spec's categorical data:
one sc:Enumeration record set per label inventory (index → name), referred to by every ClassLabel
field, nested ones included; the gold label fields are also typed cr:Label. Splits follow the
spec's splits: a cr:Split record set (train, validation, test → cr:TrainingSplit, …) that every
`split` field refers to, its value read from the file's path.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from belgrade_stance.paths import split_file
from belgrade_stance.verify import sha256_file
from belgrade_stance_schema.features import DESCRIPTIONS, features
from belgrade_stance_schema.inventory import (
    CONFIGS, DATASET_VERSION, ENTITY_TYPES, HOLDER_TYPES, LICENSES, NER_TAGS, RELEASED, SPLITS, STANCE_LABELS, TARGETS,
)

# The class names of every ClassLabel, as enumeration record sets: (id, names, meaning of each name).
ENUMERATIONS: tuple[tuple[str, tuple[str, ...], dict[str, str]], ...] = (
    ("stance_labels", STANCE_LABELS, {}),
    ("holder_types", tuple(HOLDER_TYPES), HOLDER_TYPES),
    ("entity_types", tuple(ENTITY_TYPES), ENTITY_TYPES),
    ("ner_tags", NER_TAGS, {}),
)
# The gold label fields of each config (cr:Label), as field paths below the record set.
GOLD_LABELS = {"stance": ("label",), "holders": ("label",), "sentences": ("ner_tags", "entities/label")}
ENUMERATION_TYPE = "https://schema.org/Enumeration"
LABEL_TYPE = "http://mlcommons.org/croissant/Label"
SPLIT_REGEX = r"^(?:.*/)?{config}/(" + "|".join(SPLITS) + r")\.parquet$"
SPLIT_URLS = {"train": "cr:TrainingSplit", "validation": "cr:ValidationSplit", "test": "cr:TestSplit"}

def rai(n_docs: int, years: str, test_docs: int) -> dict:
    """The Responsible-AI fields; the figures come from the built documents table."""
    return {
        "data_collection": (
            f"{n_docs} English news articles ({years}) about Russian anti-war emigrants in Serbia, collected as "
            "text files and copied byte for byte; boilerplate (navigation, bylines, footers) is marked as "
            "typed ranges, never deleted. Metadata (outlet, publisher, author, date with precision and "
            "evidence) was curated by hand from the texts."),
        "data_collection_type": ["Web Scraping", "Manual Human Curation"],
        "data_preprocessing_protocol": [
            "Sentence segmentation drafted with spaCy and corrected by reading; tokens by spaCy's rule-based "
            "English tokenizer; every raw text checked against its recorded sha256 at build time."],
        "data_annotation_protocol": [
            "Every body sentence labelled for every target as favor, against or none (SemEval-2016 "
            "definitions), with holder and evidence span, and every named mention with an OntoNotes type "
            "and canonical id, following the shipped annotation guidelines. Two independent passes (A, B; "
            "B blind to A); every disagreement adjudicated against the guidelines and logged with a reason."],
        "data_annotation_platform": ["Standoff JSON Lines files validated by the build's pandera schemas."],
        "data_annotation_analysis": [
            "Cohen's kappa, raw agreement and F_avg of pass B against pass A, holder and entity agreement, "
            "computed at build time (data/agreement.json and the card). Both passes come from the same "
            "model family, so agreement is an upper bound on reliability."],
        "annotations_per_item": "2 independent passes plus adjudication of disagreements",
        "machine_annotation_tools": [
            "Passes A and B and the adjudication were made by separate instances of a large language model "
            "that read each sentence against the written guidelines; no human annotator took part."],
        "data_biases": [
            f"{n_docs} articles on one topic; the emigrants' anti-war perspective dominates and pro-war stances "
            "appear mostly as reported views of unnamed groups; labels are skewed towards none; all texts "
            "are English-language reporting for international readers."],
        "data_limitations": [
            f"Very small: the test split is {test_docs} document(s), so scores have wide confidence intervals; "
            "labels are machine-generated; some texts are machine rewrites with garbled sentences."],
        "data_use_cases": [
            "Target-stance classification benchmark (macro-F1 over favor and against, leave-one-document-out "
            "cross-validation); stance-holder analysis; named-entity recognition on news. Not for claims about "
            "real people or populations."],
        "data_social_impact": (
            "Makes stance and its holders in news explicit; misuse could expose the political opinions of "
            "named emigrants."),
        "personal_sensitive_information": [
            "The texts name private individuals together with their political opinions about the Russian "
            "government and the war (sensitive data). Do not profile, identify, contact or track them, nor "
            "link their names to other data."],
        "data_release_maintenance_plan": (
            "Versioned releases; every number in the card is regenerated from the data at build time; "
            "corrections and removal requests through the issue tracker lead to a new version recorded in "
            "the changelog."),
    }


def _data_type(feature) -> str:
    import mlcroissant as mlc
    from datasets import ClassLabel

    if isinstance(feature, ClassLabel):
        return mlc.DataType.INTEGER
    return {"string": mlc.DataType.TEXT, "int32": mlc.DataType.INTEGER, "int64": mlc.DataType.INTEGER,
            "bool": mlc.DataType.BOOL}.get(getattr(feature, "dtype", ""), mlc.DataType.TEXT)


def _description(config: str, name: str, feature) -> str:
    from datasets import ClassLabel, List

    text = DESCRIPTIONS[config][name]
    inner = feature.feature if isinstance(feature, List) else feature
    if isinstance(inner, ClassLabel):
        text += " Indices: " + ", ".join(f"{i}={n}" for i, n in enumerate(inner.names)) + "."
    elif isinstance(inner, dict):
        text += " A list of structs: one subField per key."
    return text


def _sub_description(key: str, feature) -> str:
    from datasets import ClassLabel

    if isinstance(feature, ClassLabel):
        return f"{key}. Indices: " + ", ".join(f"{i}={n}" for i, n in enumerate(feature.names)) + "."
    return f"{key} of each item."


CONFORMS_TO = "http://mlcommons.org/croissant/1.1"


def _enumeration_of(feature) -> str | None:
    """The id of the enumeration record set that names a ClassLabel's indices (None if not a ClassLabel)."""
    from datasets import ClassLabel

    if not isinstance(feature, ClassLabel):
        return None
    return next(rid for rid, names, _ in ENUMERATIONS if tuple(feature.names) == names)


def _class_sets(ctx) -> list:
    """One enumeration record set per label inventory (index → name), and the splits (cr:Split)."""
    import mlcroissant as mlc

    sets = []
    for rid, names, meanings in ENUMERATIONS:
        fields = [mlc.Field(ctx=ctx, id=f"{rid}/index", name="index", description="The integer stored in the data.",
                            data_types=[mlc.DataType.INTEGER]),
                  mlc.Field(ctx=ctx, id=f"{rid}/name", name="name", description="The class name.",
                            data_types=[mlc.DataType.TEXT])]
        rows = [{f"{rid}/index": i, f"{rid}/name": name} for i, name in enumerate(names)]
        if meanings:
            fields.append(mlc.Field(ctx=ctx, id=f"{rid}/description", name="description",
                                    description="What the class means.", data_types=[mlc.DataType.TEXT]))
            for row, name in zip(rows, names):
                row[f"{rid}/description"] = meanings[name]
        sets.append(mlc.RecordSet(
            ctx=ctx, id=rid, name=rid, key=f"{rid}/index", data_types=[ENUMERATION_TYPE],
            description=f"The class names of the {rid.replace('_', ' ')}: index (as stored) to name.",
            fields=fields, data=rows))
    sets.append(mlc.RecordSet(
        ctx=ctx, id="splits", name="splits", key="splits/name", data_types=[mlc.DataType.SPLIT],
        description="The splits of every config; each record set's `split` field refers to one of them.",
        fields=[mlc.Field(ctx=ctx, id="splits/name", name="name", description="The split's name.",
                          data_types=[mlc.DataType.TEXT]),
                mlc.Field(ctx=ctx, id="splits/url", name="url", description="The split's Croissant type.",
                          data_types=[mlc.DataType.URL])],
        data=[{"splits/name": split, "splits/url": SPLIT_URLS[split]} for split in SPLITS]))
    return sets


def _fields(ctx, config: str) -> list:
    """The fields of a config's record set, in column order except that `split` comes first.

    Every ClassLabel field (lists and subFields included) refers to its enumeration's `index` and
    `split` refers to `splits/name`. mlcroissant 1.1.1 joins a record set on its first referencing
    field only and cannot join on a repeated one, so `split` (a plain text) is put first.
    """
    import mlcroissant as mlc
    from datasets import List

    def source(name: str, key: str | None = None):
        if name == "split":  # from the file's path, so that a reader fetches only the files of a split
            return mlc.Source(ctx=ctx, file_set=f"{config}-files", extract=mlc.Extract(ctx=ctx, file_property="fullpath"),
                              transforms=[mlc.Transform(ctx=ctx, regex=SPLIT_REGEX.format(config=config))])
        return mlc.Source(ctx=ctx, file_set=f"{config}-files", extract=mlc.Extract(ctx=ctx, column=name),
                          transforms=[mlc.Transform(ctx=ctx, json_path=key)] if key else [])

    def references(feature, name: str):
        enumeration = _enumeration_of(feature)
        target = f"{enumeration}/index" if enumeration else "splits/name" if name == "split" else None
        return mlc.Source(ctx=ctx, field=target) if target else None

    def data_types(feature, path: str) -> list:
        return [_data_type(feature)] + ([LABEL_TYPE] if path in GOLD_LABELS.get(config, ()) else [])

    fields = []
    for name, feature in features(config).items():
        inner = feature.feature if isinstance(feature, List) else None
        if isinstance(inner, dict):  # a list of structs: one repeated subField per struct key
            fields.append(mlc.Field(
                ctx=ctx, id=f"{config}/{name}", name=name, description=_description(config, name, feature),
                is_array=True, data_types=[], sub_fields=[
                    mlc.Field(ctx=ctx, id=f"{config}/{name}/{key}", name=key, is_array=True,
                              description=_sub_description(key, sub), data_types=data_types(sub, f"{name}/{key}"),
                              source=source(name, key), references=references(sub, key))
                    for key, sub in inner.items()]))
            continue
        item = inner if inner is not None else feature
        fields.append(mlc.Field(
            ctx=ctx, id=f"{config}/{name}", name=name, description=_description(config, name, feature),
            data_types=data_types(item, name), is_array=True if inner is not None else None, source=source(name),
            references=references(item, name)))
    return sorted(fields, key=lambda field: field.name != "split")


def _figures(folder: Path) -> dict:
    from belgrade_stance_build.card.structure import corpus_figures, year_span

    fig = corpus_figures(folder)
    return {"n_docs": fig["n_docs"], "years": year_span(fig["years"], "-"), "test_docs": fig["test_docs"]}


def metadata(folder: Path, card_url: str | None = None):
    """The Croissant metadata (mlcroissant.Metadata) of the Hub folder's Parquet files."""
    import mlcroissant as mlc

    ctx = mlc.Context(conforms_to=CONFORMS_TO)

    distribution, record_sets = [], []
    for config in CONFIGS:
        for split in SPLITS:
            path = split_file(folder, config, split)
            distribution.append(mlc.FileObject(
                ctx=ctx, id=f"{config}-{split}", name=f"{config}-{split}", content_url=f"{config}/{split}.parquet",
                encoding_formats=["application/x-parquet"], sha256=sha256_file(path)))
        distribution.append(mlc.FileSet(
            ctx=ctx, id=f"{config}-files", name=f"{config}-files", encoding_formats=["application/x-parquet"],
            includes=[f"{config}/*.parquet"]))
        fields = _fields(ctx, config)
        record_sets.append(mlc.RecordSet(
            ctx=ctx, id=config, name=config, description=f"The {config} config: every split of {config}/*.parquet "
            "(the split is in the `split` field). Lists of structs are repeated fields with one subField per key.",
            fields=fields))
    return mlc.Metadata(
        ctx=ctx,
        name="belgrade-stance",
        description=(f"English news sentences about Russian anti-war emigrants in Serbia, labelled for stance "
                     f"({', '.join(STANCE_LABELS)}) towards {len(TARGETS)} targets with holders, and for named "
                     "entities."),
        cite_as="belgrade-stance maintainers. belgrade-stance (dataset), version " + DATASET_VERSION + ".",
        license=list(LICENSES),
        url=card_url,
        version=DATASET_VERSION,
        date_published=datetime.datetime.strptime(RELEASED, "%Y-%m"),
        in_language=["en"],
        keywords=["stance detection", "named-entity recognition", "news", "Serbia", "Russian emigration"],
        distribution=distribution,
        record_sets=_class_sets(ctx) + record_sets,
        **rai(**_figures(folder)),
    )


def write_croissant(folder: Path, card_url: str | None = None) -> Path:
    """Write folder/croissant.json; raise ValueError with mlcroissant's issues if it is invalid."""
    import mlcroissant as mlc

    md = metadata(folder, card_url)
    if md.ctx.issues.errors:
        raise ValueError("croissant metadata is invalid:\n" + "\n".join(sorted(md.ctx.issues.errors)))
    path = folder / "croissant.json"
    path.write_text(json.dumps(md.to_json(), indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path
