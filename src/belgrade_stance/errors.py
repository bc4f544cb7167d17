"""Every rule a bad input or a bad environment can break, in one registry.

Each problem the build, verify, load, evaluate, export, viewer, Label Studio import or publish
reports carries a rule id from `RULES`, as ``file:line: [rule-id] message``. A rule names the
stages that report it, the exit code the command line ends with, and what it means.
``docs/errors.md`` is generated from this registry.

Exit codes of ``belgrade-stance``: 0 all held; 1 an input broke a rule (raw files, data files,
predictions, an output folder); 2 a usage or environment problem (a wrong argument, a missing
package, a verb that needs a source checkout).

Standard library only: the installed package and the build both use it.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

INPUT, USAGE = 1, 2
"""Exit codes: 1 an input broke a rule, 2 a usage or environment problem."""

RULE_LOG = "BELGRADE_STANCE_RULE_LOG"
"""Environment variable: if set to a file path, every rule reported is appended to it, one per
line (the test suite uses it to check that every registered rule is exercised)."""


@dataclass(frozen=True)
class Rule:
    stages: tuple[str, ...]
    description: str
    exit: int = INPUT


def _r(stages: str, description: str, exit: int = INPUT) -> Rule:
    return Rule(tuple(stages.split()), description, exit)


RULES: dict[str, Rule] = {
    # -- raw files: presence, encoding, checksums ------------------------------------------------
    "missing-file": _r("build verify", "A file the input needs is missing (a segmentation, a gold annotation, a "
                                       "data file listed in the manifest, adjudication for disagreements)."),
    "missing-raw-file": _r("build verify", "A source text named in raw/metadata.csv (or in the manifest) is not in raw/texts/."),
    "extra-raw-file": _r("build", "A file in raw/texts/ that raw/metadata.csv does not list."),
    "orphan-file": _r("build", "A segmentation, annotation or adjudication file of a document the metadata does not list."),
    "unknown-pass": _r("build", "A folder under raw/annotations/ that is not an annotation pass (a, b, gold)."),
    "missing-pass": _r("build", "A document has one independent pass (a or b) but not the other."),
    "invalid-utf8": _r("build", "A raw file is not valid UTF-8."),
    "empty-file": _r("build", "A source text is empty or holds only white space."),
    "sha256-mismatch": _r("build verify load", "A file's sha256 differs from the one recorded for it (metadata.csv "
                                               "for a source text, the manifest for a data file)."),
    # -- records: syntax and types --------------------------------------------------------------
    "csv-syntax": _r("build", "raw/metadata.csv cannot be read as CSV (an unclosed quote, a field too large)."),
    "duplicate-column": _r("build", "The CSV header names a column twice."),
    "row-shape": _r("build", "A CSV row has more cells than the header."),
    "unparseable-line": _r("build", "A JSON Lines line is not one JSON object, or is nested too deeply."),
    "duplicate-key": _r("build", "A JSON object names a key twice."),
    "unknown-record-type": _r("build", "A record's type is not one the file holds."),
    "missing-field": _r("build", "A record or the CSV header lacks a field it needs."),
    "unknown-field": _r("build", "A record or the CSV header has a field its kind does not have."),
    "missing-value": _r("build", "A metadata cell that may not be empty is empty."),
    "field-type": _r("build", "A value has the wrong JSON type (a string for a boolean, a list for a string, …)."),
    "empty-value": _r("build", "A text value (sentence, holder, reason) is empty or only white space."),
    "surrounding-whitespace": _r("build", "A hand-written value (an id, a holder, a reason) begins or ends with white space."),
    "not-nfc": _r("build", "A hand-written value is not in Unicode normalisation form NFC."),
    "control-character": _r("build", "A hand-written value holds a control character (a tab, a line break, …)."),
    "too-long": _r("build", "A value is longer than its field allows."),
    # -- metadata -------------------------------------------------------------------------------
    "doc-id-format": _r("build", "A doc_id is not a lowercase slug of at most 32 characters."),
    "duplicate-doc-id": _r("build", "Two metadata rows have the same doc_id."),
    "duplicate-source-file": _r("build", "Two metadata rows name the same source file."),
    "source-file-name": _r("build", "A source_file is a path, not a bare file name."),
    "sha256-format": _r("build", "A sha256 cell is not 64 lowercase hex digits."),
    "date-precision": _r("build", "A date_precision is not in the inventory (day, month, estimated)."),
    "bad-date": _r("build", "A date is not a calendar date of the form its precision asks for."),
    "date-evidence": _r("build", "An estimated date has no date_evidence."),
    "unknown-split": _r("build load", "A split that is not in the inventory (train, validation, test)."),
    "annotation-status": _r("build", "An annotation_status that is not in the inventory."),
    "language": _r("build", "A language that is not an ISO 639 code."),
    "no-documents": _r("build", "raw/metadata.csv lists no document."),
    # -- segmentation ---------------------------------------------------------------------------
    "unknown-boilerplate-kind": _r("build", "A boilerplate kind that is not in the inventory."),
    "offset-type": _r("build", "A span's start or end is not an integer."),
    "reversed-offsets": _r("build", "A span's start is not before its end."),
    "offset-out-of-range": _r("build", "A span lies outside the raw text."),
    "span-text-mismatch": _r("build", "A span's text is not the raw text at its offsets."),
    "sentence-id-format": _r("build", "A sentence id is not <doc_id>-sNNN."),
    "duplicate-id": _r("build", "Two sentences have the same id."),
    "overlapping-boilerplate": _r("build", "Two boilerplate ranges overlap."),
    "empty-body": _r("build", "All of a raw text is marked as boilerplate."),
    "sentence-overlap": _r("build", "Two sentences overlap."),
    "sentence-in-boilerplate": _r("build", "A sentence overlaps boilerplate."),
    "sentence-crosses-paragraph": _r("build", "A sentence is not inside one body paragraph."),
    "sentence-gap": _r("build", "Body text that belongs to no sentence."),
    # -- annotation -----------------------------------------------------------------------------
    "unknown-sentence": _r("build", "A record refers to a sentence the segmentation does not have."),
    "unknown-entity-label": _r("build", "An entity label that is not one of the eight entity types."),
    "entity-id-format": _r("build", "An entity_id is not a lowercase slug."),
    "entity-in-boilerplate": _r("build", "An entity overlaps boilerplate."),
    "entity-outside-sentence": _r("build", "An entity is not inside its sentence."),
    "span-not-token-aligned": _r("build", "An entity span cuts a token of the spaCy tokenisation."),
    "overlapping-entities": _r("build", "Two entity spans overlap (nesting is not annotated)."),
    "duplicate-record": _r("build", "The same entity span or stance record appears twice."),
    "unknown-target": _r("build evaluate", "A target that is not in the inventory."),
    "unknown-stance-label": _r("build", "A stance label that is not favor, against or none."),
    "unknown-holder-type": _r("build", "A holder_type that is not in the inventory."),
    "holder-format": _r("build", "An author-held stance whose holder is not written \"author\"."),
    "span-outside-sentence": _r("build", "A holder or evidence span is not inside its sentence."),
    "none-with-holder": _r("build", "A none record carries a holder, evidence or primary."),
    "none-not-alone": _r("build", "A none record shares its (sentence, target) item with other records."),
    "conflict-without-primary": _r("build", "Holders disagree on an item and not exactly one record is primary."),
    "extra-primary": _r("build", "More than one primary record on an item whose holders agree."),
    "unresolved-holder": _r("build", "An entity holder that is not an entity_id annotated in the document."),
    "unreviewed-sentence": _r("build", "A (sentence, target) item has no stance record."),
    "inconsistent-entity": _r("build", "A surface form has another entity type or id than elsewhere in the gold, "
                                       "and the mention logs no `reason` for the exception."),
    # -- adjudication ---------------------------------------------------------------------------
    "stale-adjudication": _r("build", "An adjudication record where passes A and B agree."),
    "adjudication-mismatch": _r("build", "An adjudication record's a, b or gold value is not what the files hold."),
    "unadjudicated-disagreement": _r("build", "A disagreement of passes A and B has no adjudication record."),
    "data-foreign": _r("build", "data/ is not a folder, or holds files no build wrote there; the build refuses "
                                "to replace it."),
    # -- tables ---------------------------------------------------------------------------------
    "schema": _r("build", "A built table breaks its pandera schema."),
    "split-leak": _r("build", "The same sentence text occurs in two splits."),
    # -- data folder (verify, load, evaluate) ---------------------------------------------------
    "missing-manifest": _r("verify load", "The data folder has no manifest.json."),
    "manifest-unreadable": _r("verify load", "manifest.json is not JSON."),
    "format-version": _r("verify load", "The manifest's format_version is not the one this package reads."),
    "manifest-malformed": _r("verify load", "The manifest lacks a field or holds one of the wrong shape."),
    "unreadable-file": _r("load verify", "A data file cannot be read (permissions, I/O)."),
    "unreadable-parquet": _r("verify load", "A data file is not readable Parquet, or a page checksum fails."),
    "row-count": _r("verify load", "A data file's row count differs from the manifest."),
    "features-mismatch": _r("verify", "A data file's columns or embedded features differ from the manifest's."),
    "unlisted-file": _r("verify", "A data file the manifest does not list."),
    "raw-sha256-mismatch": _r("verify", "A raw input changed since the data was built."),
    "unlisted-raw-file": _r("verify", "A raw file the manifest does not list (rebuild the data)."),
    "stale-step": _r("verify", "A workflow step's inputs or code changed since it last ran (rerun the build)."),
    # -- loader requests ------------------------------------------------------------------------
    "unknown-config": _r("load", "A config the data does not have.", USAGE),
    "unknown-format": _r("load", "A format load() does not offer.", USAGE),
    "missing-extra": _r("load evaluate export", "The request needs an optional package that is not installed.", USAGE),
    "bad-argument": _r("load evaluate", "An argument of the wrong kind or value (a negative count, an unknown "
                                        "protocol, …).", USAGE),
    # -- predictions (evaluate) -----------------------------------------------------------------
    "predictions-missing": _r("evaluate", "The predictions file does not exist."),
    "predictions-unreadable": _r("evaluate", "The predictions file cannot be read (not UTF-8, not CSV, nested too deeply, I/O)."),
    "predictions-type": _r("evaluate", "Predictions of a kind the scorer does not take."),
    "prediction-record": _r("evaluate", "A prediction record that is not an (id, label) pair."),
    "no-predictions": _r("evaluate", "The predictions hold no record."),
    "missing-prediction": _r("evaluate", "A scored row has no prediction."),
    "unknown-id": _r("evaluate", "A prediction for an id that is not a row of the scored set."),
    "duplicate-prediction": _r("evaluate", "An id predicted more than once."),
    "unknown-label": _r("evaluate", "A predicted label that is neither a stance label name nor its index."),
    "nothing-to-score": _r("evaluate", "The restrictions leave no row to score."),
    # -- export and viewer ----------------------------------------------------------------------
    "tokens-mismatch": _r("export", "A sentence's tokens do not cover its text in order."),
    # -- output folders (export, viewer, label-studio export, publish: belgrade_stance.outputs) --
    "out-symlink": _r("export viewer label-studio publish", "--out is a symbolic link."),
    "out-inside-project": _r("export viewer label-studio publish", "--out is, or is inside, the data folder read or raw/."),
    "out-not-folder": _r("export viewer label-studio publish", "--out is a file or lies below one."),
    "out-foreign": _r("export viewer label-studio publish", "--out is not empty and is not an earlier output of the same "
                      "command left unchanged (it holds a file the command did not write, or one changed since)."),
    # -- Label Studio import --------------------------------------------------------------------
    "ls-raw-problems": _r("label-studio", "The checkout's raw files have problems; the import needs a valid corpus."),
    "ls-unreadable": _r("label-studio", "The export is not readable Label Studio JSON (a list of tasks)."),
    "ls-task-data": _r("label-studio", "A task lacks doc_id or sentence_id in its data."),
    "ls-unknown-document": _r("label-studio", "A task's document is not in raw/metadata.csv."),
    "ls-unknown-sentence": _r("label-studio", "A task's sentence is not in the document's segmentation."),
    "ls-duplicate-task": _r("label-studio", "A sentence appears in two tasks."),
    "ls-text-changed": _r("label-studio", "A task's text differs from the sentence in raw/segments."),
    "ls-missing-tasks": _r("label-studio", "A document lacks tasks for some of its sentences."),
    "ls-region": _r("label-studio", "A region lies outside its sentence or lacks its type, entity_id, target or label."),
    "ls-stance-choice": _r("label-studio", "A target's stance choice is missing, or disagrees with its evidence regions."),
    # -- annotation drafts (scripts/anchor_annotations.py) ----------------------------------------
    "draft-span-not-found": _r("anchor", "A quoted entity, holder or evidence text is not in its sentence "
                                         "(entities: not at token boundaries after the previous one)."),
    # -- publish --------------------------------------------------------------------------------
    "publish-data-invalid": _r("publish", "data/ does not match its manifest (rebuild before publishing)."),
    "publish-card-stale": _r("publish", "The card's generated blocks are stale (run belgrade-stance card)."),
    "publish-repo-id": _r("publish", "--repo-id is not a valid Hub repo id.", USAGE),
    "publish-no-token": _r("publish", "No Hub token in the environment.", USAGE),
    "publish-upload": _r("publish", "The Hub refused or failed the upload."),
    "publish-write": _r("publish", "Writing the Hub folder failed (permissions, disk)."),
    # -- command line ---------------------------------------------------------------------------
    "not-a-project": _r("cli", "--root (or the working folder) is not a belgrade-stance project folder.", USAGE),
    "needs-checkout": _r("cli", "The verb needs a source checkout installed with its build extra.", USAGE),
    "missing-dependency": _r("cli", "A verb's Python dependency is not installed.", USAGE),
    "io-error": _r("cli", "The operating system refused a read or a write (permissions, disk full, a folder "
                          "where a file belongs)."),
}


def rule(rule_id: str) -> Rule:
    """The registered rule; KeyError for an id that is not registered (a bug, not bad input)."""
    try:
        found = RULES[rule_id]
    except KeyError:
        raise KeyError(f"rule {rule_id!r} is not registered in belgrade_stance.errors.RULES") from None
    log = os.environ.get(RULE_LOG)
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(rule_id + "\n")
    return found


def exit_code(rules) -> int:
    """The exit code of a command that stopped on these rules: 2 if any is a usage problem, else 1."""
    return max((RULES[r].exit for r in rules if r in RULES), default=INPUT)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    rule: str
    message: str

    def __post_init__(self) -> None:
        rule(self.rule)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: [{self.rule}] {self.message}" if where else f"[{self.rule}] {self.message}"


@dataclass
class Problems:
    """Collects every problem of a run instead of stopping at the first."""

    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, line: int | None, rule: str, message: str) -> None:
        self.items.append(Problem(str(file), line, rule, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def rules(self) -> set[str]:
        return {p.rule for p in self.items}

    def report(self) -> str:
        lines = [str(p) for p in self.items]
        counts = Counter(p.rule for p in self.items)
        lines.append(
            f"{len(self.items)} problem(s): "
            + ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items()))
        )
        return "\n".join(lines)


class DatasetError(ValueError):
    """An error of this package that names its rule: ``where: [rule] message``."""

    def __init__(self, rule_id: str, message: str, where: str | None = None):
        self.rule = rule_id
        self.where = where
        self.message = message
        self.exit = rule(rule_id).exit
        super().__init__(str(Problem(where or "", None, rule_id, message)))


class LoadError(DatasetError):
    """A request the shipped data cannot answer (unknown config, split or format, bad files)."""


def markdown() -> str:
    """docs/errors.md: every rule, grouped by the first stage that reports it."""
    lines = [
        "# Errors",
        "",
        "Every problem `belgrade-stance` reports names a rule, as `file:line: [rule-id] message`.",
        "This page is generated from `belgrade_stance.errors.RULES`; do not edit it by hand.",
        "",
        "Exit codes: **0** all held; **1** an input broke a rule (raw files, data files, predictions,",
        "an output folder); **2** a usage or environment problem (a wrong argument, a missing package,",
        "a verb that needs a source checkout). A command prints one line per problem, never a traceback.",
        "",
        f"{len(RULES)} rules.",
    ]
    order = ["build", "verify", "load", "evaluate", "export", "viewer", "label-studio", "anchor", "publish", "cli"]
    for stage in order:
        ids = [r for r, v in RULES.items() if v.stages[0] == stage]
        if not ids:
            continue
        lines += ["", f"## {stage}", "", "| rule | exit | also reported by | meaning |", "|---|---|---|---|"]
        for r in ids:
            v = RULES[r]
            lines.append(f"| `{r}` | {v.exit} | {', '.join(v.stages[1:]) or '—'} | {v.description} |")
    return "\n".join(lines) + "\n"
