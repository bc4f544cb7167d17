"""Property-based: generated mutations of valid raw files and prediction files end in a clean
refusal naming rules of the errors page, or are accepted; never in a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from belgrade_stance_build.build import BuildFailed, build
from belgrade_stance_build.layout import Layout
from belgrade_stance_build.rules import reported_rules
from helpers import ROOT

RULES = set(reported_rules(ROOT))

RAW_FILES = [
    "raw/metadata.csv",
    "raw/segments/d01.jsonl",
    "raw/annotations/gold/d02.jsonl",
    "raw/annotations/a/d03.jsonl",
    "raw/adjudication/d04.jsonl",
]
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**7),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def mutation(draw):
    """(file, kind, details): a byte-level edit of any raw file, or a value swap in one JSON record."""
    rel = draw(st.sampled_from(RAW_FILES))
    if rel.endswith(".jsonl") and draw(st.booleans()):
        return (
            rel,
            "value",
            (
                draw(st.integers(0, 10**6)),
                draw(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)),
                draw(JSON_VALUES),
            ),
        )
    return (
        rel,
        "bytes",
        (
            draw(st.integers(0, 10**6)),
            draw(st.sampled_from(["delete", "insert", "flip", "truncate"])),
            draw(st.binary(min_size=1, max_size=4)),
        ),
    )


def apply(project: Path, rel: str, kind: str, details) -> None:
    path = project / rel
    data = path.read_bytes()
    if kind == "value":
        index, key, value = details
        lines = data.decode("utf-8").splitlines()
        i = index % len(lines)
        rec = json.loads(lines[i])
        keys = sorted(rec)
        rec[key if key not in rec and index % 3 == 0 else keys[index % len(keys)]] = value
        lines[i] = json.dumps(rec, ensure_ascii=False)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return
    at, how, blob = details
    at %= len(data)
    if how == "delete":
        data = data[:at] + data[at + len(blob) :]
    elif how == "insert":
        data = data[:at] + blob + data[at:]
    elif how == "flip":
        data = data[:at] + bytes([data[at] ^ (blob[0] or 1)]) + data[at + 1 :]
    else:
        data = data[:at]
    path.write_bytes(data)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    dst = tmp_path_factory.mktemp("pristine") / "proj"
    shutil.copytree(ROOT / "raw", dst / "raw")
    return dst


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(change=mutation())
def test_a_mutated_raw_file_is_refused_with_its_rules_or_builds_valid_tables(
    pristine, tmp_path_factory, change
):
    """The build's checks (write=False: nothing written): a refusal names rules of the errors
    page at a place; anything else that escapes is a traceback and fails the test."""
    project = tmp_path_factory.mktemp("mutated") / "proj"
    shutil.copytree(pristine, project)
    apply(project, *change)
    try:
        build(Layout(project), write=False)
    except BuildFailed as failed:
        assert failed.problems and failed.problems.rules() <= RULES, (
            change,
            failed.problems.report()[-2000:],
        )
        assert all(p.file for p in failed.problems.items), change
    shutil.rmtree(project.parent)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    lines=st.lists(
        st.one_of(
            st.text(max_size=30),
            st.builds(
                lambda i, lab: json.dumps({"id": i, "label": lab}),
                st.one_of(st.text(max_size=12), st.integers(), st.none()),
                st.one_of(
                    st.sampled_from(["none", "against", "favor", "FAVOR", "0", "2"]),
                    st.integers(-3, 5),
                    JSON_VALUES,
                ),
            ),
        ),
        max_size=8,
    ),
    suffix=st.sampled_from([".jsonl", ".csv", ".json", ".txt"]),
)
def test_any_prediction_file_is_scored_or_refused_with_the_packages_errors(tmp_path_factory, lines, suffix):
    import belgrade_stance

    path = tmp_path_factory.mktemp("pred") / f"p{suffix}"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n")
    try:
        belgrade_stance.evaluate(path, samples=0)
    except (belgrade_stance.PredictionError, belgrade_stance.LoadError) as e:
        assert e.rule in RULES and getattr(e, "rules", {e.rule}) <= RULES
