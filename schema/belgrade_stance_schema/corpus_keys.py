"""The rules that span the parts of a build, checked on the key columns of every part together."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from belgrade_stance_schema.tables import SPLIT_BY_DOCUMENT, failures_of, one_split_per_document

# Every other corpus-wide rule follows from these and the part's own rules: a sentence's doc_id
# is a document of its part, so a document's sentences share its part and its split; a stance
# row's sentence_id is a sentence of its part and its id is `<sentence_id>-<target>`, so unique
# sentence ids make stance ids and (sentence_id, target) unique over the corpus.
KEY_COLUMNS = {
    "documents": ["doc_id", "source_file", "split", "fold"],
    "sentences": ["id", "doc_id", "split", "fold"],
}
CORPUS_KEYS = {
    "documents": pa.DataFrameSchema(
        {
            "doc_id": pa.Column(str, unique=True),
            "source_file": pa.Column(str, unique=True),
            "fold": pa.Column(int, unique=True),
        }
    ),
    "sentences": pa.DataFrameSchema(
        {"id": pa.Column(str, unique=True)},
        checks=[pa.Check(one_split_per_document, error=SPLIT_BY_DOCUMENT)],
    ),
}


def validate_corpus(keys: dict[str, pd.DataFrame]) -> list[tuple]:
    """The rules that span parts, on the key columns (KEY_COLUMNS) of every part together."""
    failures: list[tuple] = []
    for name, schema in CORPUS_KEYS.items():
        key = "doc_id" if name == "documents" else "id"
        try:
            schema.validate(keys[name], lazy=True, inplace=True)
        except pa.errors.SchemaErrors as err:
            failures += failures_of(name, err, keys[name], key)
    return failures
