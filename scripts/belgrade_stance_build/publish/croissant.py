"""croissant.json of a Hub folder: Croissant 1.1, its Responsible-AI fields taken from the card. A list
of structs is a repeated field with one subField per key; every ClassLabel field refers to an
sc:Enumeration record set (index → name), every `split` field to the cr:Split record set `splits`."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import mlcroissant as mlc
from datasets import ClassLabel, List

from belgrade_stance.paths import split_file
from belgrade_stance.verify import sha256_file
from belgrade_stance_schema import inventory as inv
from belgrade_stance_schema.features import DESCRIPTIONS, features

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
RAI = {  # the Responsible-AI fields, each the text of a section of the card
    "data_collection": "#### Data collection and processing",
    "data_annotation_protocol": "#### Annotation process",
    "data_annotation_analysis": "#### Agreement (computed at build time from the shipped passes)",
    "machine_annotation_tools": "#### Who are the annotators?",
    "data_biases": "## Bias, risks and limitations",
    "data_limitations": "## Bias, risks and limitations",
    "data_use_cases": "### Direct use",
    "personal_sensitive_information": "### Personal and sensitive information",
    "data_release_maintenance_plan": "## Maintenance",
}
RAI_TEXT = {"data_collection", "data_release_maintenance_plan"}  # the others are lists of texts


def section(card: str, heading: str) -> str:
    """The text under a heading of the card, up to the next heading, without block markers."""
    text = re.split(r"\n#+ ", card.split(f"\n{heading}\n", 1)[1], maxsplit=1)[0]
    return re.sub(r"<!-- /?generated:[a-z_]+ -->\n", "", text).strip()


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


def _record_set(ctx, config: str) -> mlc.RecordSet:
    """A config's record set over every split of its files; its fields `split` first: it is read from
    the file's path, and mlcroissant 1.1.1 joins a record set on its first referencing field only
    (never a repeated one)."""

    def field(path: str, feature, description: str, extract, is_array=None, **transform) -> mlc.Field:
        """A field (path: its name, or list/key for a subField)."""
        transforms = [mlc.Transform(ctx=ctx, **transform)] if transform else []
        source = mlc.Source(ctx=ctx, file_set=f"{config}-files", extract=extract, transforms=transforms)
        references, types = "splits/name" if path == "split" else None, [DATA_TYPES.get(feature.dtype, TEXT)]
        if isinstance(feature, ClassLabel):
            enumeration = next(r for r, (names, _) in ENUMERATIONS.items() if tuple(feature.names) == names)
            references, types = f"{enumeration}/index", [INTEGER]
            description += " Indices: " + ", ".join(f"{i}={n}" for i, n in enumerate(feature.names)) + "."
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

    fields = []
    for name, feature in features(config).items():
        inner = feature.feature if isinstance(feature, List) else feature
        description, column = DESCRIPTIONS[config][name], mlc.Extract(ctx=ctx, column=name)
        if name == "split":  # from the file's path, so that a reader fetches only the files of a split
            regex = rf"^(?:.*/)?{config}/({'|'.join(inv.SPLITS)})\.parquet$"
            path = mlc.Extract(ctx=ctx, file_property="fullpath")
            fields.insert(0, field(name, inner, description, path, regex=regex))
        elif not isinstance(inner, dict):
            fields.append(field(name, inner, description, column, inner is not feature or None))
        else:  # a list of structs: one repeated subField per key, read by a jsonPath
            subfields = []
            for key, sub in inner.items():
                text = key + ("." if isinstance(sub, ClassLabel) else " of each item.")
                subfields.append(field(f"{name}/{key}", sub, text, column, True, json_path=key))
            fields.append(
                mlc.Field(
                    ctx=ctx,
                    id=f"{config}/{name}",
                    name=name,
                    description=description + " A list of structs: one subField per key.",
                    is_array=True,
                    sub_fields=subfields,
                )
            )
    description = (
        f"The {config} config: every split of {config}/*.parquet (the split is in the `split` field). "
        "Lists of structs are repeated fields with one subField per key."
    )
    return mlc.RecordSet(ctx=ctx, id=config, name=config, description=description, fields=fields)


def write_croissant(folder: Path, url: str) -> None:
    """Write folder/croissant.json, the metadata of the folder's Parquet files and card (README.md), the
    dataset's page at url; raise ValueError with mlcroissant's issues if it is invalid."""
    ctx = mlc.Context(conforms_to="http://mlcommons.org/croissant/1.1")
    parquet, distribution, record_sets = ["application/x-parquet"], [], []
    for config in inv.CONFIGS:
        for s in inv.SPLITS:
            distribution.append(
                mlc.FileObject(
                    ctx=ctx,
                    id=f"{config}-{s}",
                    name=f"{config}-{s}",
                    content_url=f"{config}/{s}.parquet",
                    encoding_formats=parquet,
                    sha256=sha256_file(split_file(folder, config, s)),
                )
            )
        files, name = f"{config}/*.parquet", f"{config}-files"
        distribution.append(
            mlc.FileSet(ctx=ctx, id=name, name=name, encoding_formats=parquet, includes=[files])
        )
        record_sets.append(_record_set(ctx, config))
    card = (folder / "README.md").read_text(encoding="utf-8")
    rai = {key: section(card, heading) for key, heading in RAI.items()}
    released = {v: datetime.fromisoformat(d) for v, d in re.findall(r"\n### \[(\S+)\] - (\S+)\n", card)}
    creator = [mlc.Organization(ctx=ctx, name="belgrade-stance contributors", url=url)]  # CITATION.cff's
    md = mlc.Metadata(
        ctx=ctx,
        name="belgrade-stance",
        description=section(card, "# belgrade-stance"),
        conforms_to=[ctx.conforms_to.value, "http://mlcommons.org/croissant/RAI/1.0"],  # and RAI's
        url=url,
        creators=creator,
        publisher=creator,
        cite_as=re.search(r"```bibtex\n(.*?)```", card, re.S)[1].strip(),  # the card's, from CITATION.cff
        license=[u if u.startswith("https:") else f"{url}/blob/main/{u}" for u in inv.LICENSES.values()],
        sd_licence=[inv.LICENSES["CC-BY-4.0"]],
        version=inv.DATASET_VERSION,
        date_published=released[inv.DATASET_VERSION],  # the changelog's dates
        date_modified=released[inv.DATASET_VERSION],
        date_created=min(released.values()),  # the first release
        in_language=["en"],
        keywords=["stance detection", "named-entity recognition", "news", "Serbia", "Russian emigration"],
        distribution=distribution,
        record_sets=_class_sets(ctx) + record_sets,
        data_collection_type=["Web Scraping", "Manual Human Curation"],
        annotations_per_item="2 independent passes plus adjudication of disagreements",
        **{key: text if key in RAI_TEXT else [text] for key, text in rai.items()},
    )
    if md.ctx.issues.errors:
        raise ValueError("croissant metadata is invalid:\n" + "\n".join(sorted(md.ctx.issues.errors)))
    text = json.dumps(md.to_json(), indent=2, ensure_ascii=False, default=str)
    (folder / "croissant.json").write_text(text + "\n", encoding="utf-8")
