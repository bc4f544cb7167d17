"""The Hugging Face folder: exactly the upload, loadable offline by `datasets`, equal to data/, with
Croissant metadata that mlcroissant validates and loads; refusals before anything is written; the
upload guarded by huggingface_hub's token lookup, the token never shown."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from unittest.mock import Mock, patch

import mlcroissant as mlc
import pyarrow.parquet as pq
import pytest
import yaml
from datasets import ClassLabel, Features, List, load_dataset
from huggingface_hub import constants

import belgrade_stance
from belgrade_stance.cli import main
from belgrade_stance.errors import DatasetError
from belgrade_stance.paths import split_file
from belgrade_stance.verify import sha256_file
from belgrade_stance_build.card.figures import FIGURES
from belgrade_stance_build.card.render import BLOCK, write_blocks
from belgrade_stance_build.layout import Layout
from belgrade_stance_build.publish.croissant import ENUMERATIONS, section
from belgrade_stance_build.publish.hub_folder import publish, upload
from belgrade_stance_schema.features import features
from belgrade_stance_schema.inventory import CONFIGS, DEFAULT_CONFIG, LICENSE_EXPRESSION, LICENSES, SPLITS
from helpers import ROOT


def plain(value):
    """A value mlcroissant yields, as pyarrow gives it: bytes decoded, NaN as None, numpy as Python."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value


def test_the_folder_holds_exactly_the_upload(hub):
    files = {p.relative_to(hub).as_posix() for p in hub.rglob("*") if p.is_file()}
    parquet = {f"{c}/{s}.parquet" for c in CONFIGS for s in SPLITS}
    listed = {"README.md", "croissant.json", "annotation-guidelines.md", "errors.md", "LICENSE"}
    listed |= {f"LICENSES/{name}.txt" for name in LICENSES}
    listed |= {"manifest.json", "agreement.json"} | {f"figures/{name}.png" for name in FIGURES}
    tasks = ("_belgrade_stance_yaml", "belgrade_stance.yaml", "belgrade_stance_context.yaml", "utils.py")
    listed |= {f"lm_eval_tasks/{name}" for name in tasks}  # tests/test_llm.py runs them
    assert files == parquet | listed | {"publish-manifest.json"}
    assert set(json.loads((hub / "publish-manifest.json").read_text())["files"]) == parquet | listed
    assert all((hub / f).read_bytes() == (ROOT / "data" / f).read_bytes() for f in parquet)
    assert all((hub / f).read_bytes() == (ROOT / f).read_bytes() for f in files if f.startswith("figures/"))


def test_readme_yaml_declares_configs_and_every_feature(hub):
    meta = yaml.safe_load((hub / "README.md").read_text(encoding="utf-8").split("---\n")[1])
    assert all(meta.get(k) for k in ("pretty_name", "language", "multilinguality", "size_categories"))
    assert meta["task_categories"] == ["text-classification", "token-classification"]
    assert "named-entity-recognition" in meta["task_ids"] and "stance-detection" in meta["tags"]
    assert meta["annotations_creators"] == ["machine-generated"] and meta["source_datasets"]
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert set(configs) == set(CONFIGS) and configs[DEFAULT_CONFIG].get("default") is True
    for info in meta["dataset_info"]:
        config = info["config_name"]
        assert Features._from_yaml_list(info["features"]) == features(config)
        sizes = {s: pq.read_metadata(split_file(ROOT / "data", config, s)).num_rows for s in SPLITS}
        assert {s["name"]: s["num_examples"] for s in info["splits"]} == sizes


def test_the_licence_statements_agree_with_the_inventory(hub):
    """PEP 639 metadata and its files, LICENSE, the Hub YAML, Croissant, CITATION.cff and the card."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == LICENSE_EXPRESSION == "MIT AND CC-BY-4.0 AND LicenseRef-Third-Party-Texts"
    texts = {p.stem: p.read_text(encoding="utf-8") for g in project["license-files"] for p in ROOT.glob(g)}
    assert set(texts) == {"LICENSE", *LICENSES}  # the wheel's License-File lines: tests/test_install.py
    assert texts["MIT"].startswith("MIT License\n") and "Section 8 -- Interpretation." in texts["CC-BY-4.0"]
    assert all(n in texts["LICENSE"] for n in [LICENSE_EXPRESSION, *(f"LICENSES/{i}.txt" for i in LICENSES)])
    card = (hub / "README.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(card.split("---\n")[1])
    assert meta["license"] == ["mit", "cc-by-4.0", "other"]  # Hub licence ids, `other` for the texts
    assert (meta["license_name"], meta["license_link"]) == ("third-party-texts", "LICENSE")
    third_party = f"{Layout(ROOT).hub_url()}/blob/main/{LICENSES['LicenseRef-Third-Party-Texts']}"
    licences = [LICENSES["MIT"], LICENSES["CC-BY-4.0"], third_party]
    assert json.loads((hub / "croissant.json").read_text(encoding="utf-8"))["license"] == licences
    assert yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["license"] == "CC-BY-4.0"
    assert LICENSE_EXPRESSION in section(card, "## Licensing") and "third-party-texts" in card


@pytest.mark.parametrize("config", CONFIGS)
def test_load_dataset_every_config_equals_data_and_loader(hub, config):
    ds = load_dataset(str(hub), config)
    mine = belgrade_stance.load(config, format="datasets")
    assert list(ds) == list(SPLITS) == list(mine)
    for split in SPLITS:
        assert ds[split].features == features(config) == mine[split].features
        rows = pq.read_table(split_file(ROOT / "data", config, split)).to_pylist()
        assert ds[split].to_list() == rows == mine[split].to_list()
    streamed = load_dataset(str(hub), config, split="test", streaming=True)
    assert streamed.features == features(config) and list(streamed) == ds["test"].to_list()
    if config == DEFAULT_CONFIG:
        assert load_dataset(str(hub), split="test").features == features(config)


def test_mlcroissant_validate_and_load_commands(hub):
    exe = Path(sys.executable).parent / "mlcroissant"  # the console script of the test environment
    command = [exe, "validate", "--jsonld", hub / "croissant.json"]
    out = subprocess.run(command, capture_output=True, text=True)
    assert out.returncode == 0 and "Done." in out.stderr + out.stdout, out.stderr[-2000:]
    command[1:2] = ["load", "--record_set", "stance", "--num_records", "3"]
    out = subprocess.run(command, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.count("'stance/id'") == 3, out.stderr[-2000:]


@pytest.mark.parametrize("config", CONFIGS)
def test_mlcroissant_loads_every_field_nested_ones_included_equal_to_the_parquet(hub, config):
    """Every record, every field (lists of structs as repeated subFields, the split read from the
    file's path) equals the data."""
    key = "id" if config != "documents" else "doc_id"
    rows = {r[key]: r for r in pq.read_table(ROOT / "data" / config).to_pylist()}  # every split
    records = list(mlc.Dataset(jsonld=str(hub / "croissant.json")).records(record_set=config))
    assert len(records) == len(rows)
    for record in records:
        row = rows[plain(record[f"{config}/{key}"])]
        assert sorted(k.split("/", 1)[1] for k in record) == sorted(features(config))
        for name, want in row.items():
            got = record[f"{config}/{name}"]
            if isinstance(want, list) and want and isinstance(want[0], dict):
                got = [{k.rsplit("/", 1)[1]: plain(v) for k, v in item.items()} for item in got]
            else:
                got = [plain(v) for v in got] if isinstance(want, list) else plain(got)
            assert got == want, (config, name, row[key])


def classlabels(config: str):
    """(field path, ClassLabel) of every ClassLabel of a config: top level, inside lists and structs."""
    for name, feature in features(config).items():
        inner = feature.feature if isinstance(feature, List) else feature
        for key, label in inner.items() if isinstance(inner, dict) else [(None, inner)]:
            if isinstance(label, ClassLabel):
                yield "/".join(filter(None, (config, name, key))), label


def test_croissant_has_the_required_properties_of_its_spec_files_enumerations_splits_and_rai_fields(hub):
    """Croissant 1.1's required and recommended Dataset properties, files, enumerations, splits, RAI."""
    meta, url = json.loads((hub / "croissant.json").read_text(encoding="utf-8")), Layout(ROOT).hub_url()
    versions = ["http://mlcommons.org/croissant/1.1", "http://mlcommons.org/croissant/RAI/1.0"]
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))  # its date: the changelog's
    creator = {"@type": "sc:Organization", "name": cff["authors"][0]["name"], "url": url}
    assert (meta["url"], meta["creator"], meta["publisher"]) == (url, creator, creator) and meta["@context"]
    assert meta["datePublished"] == meta["dateModified"] == str(cff["date-released"]) and meta["keywords"]
    assert (meta["dateCreated"], meta["version"], meta["inLanguage"]) == ("2026-11-22", cff["version"], "en")
    assert (meta["@type"], meta["conformsTo"], meta["name"]) == ("sc:Dataset", versions, "belgrade-stance")
    bibtex, card = meta["citeAs"], (hub / "README.md").read_text(encoding="utf-8")  # the card's BibTeX
    assert bibtex.startswith("@misc{") and f"\n{bibtex}\n" in card and f"{{{cff['version']}}}" in bibtex
    assert f"{{{url}}}" in bibtex and meta["sdLicense"] == LICENSES["CC-BY-4.0"] and meta["description"]
    files = {d["contentUrl"]: d["sha256"] for d in meta["distribution"] if d["@type"] == "cr:FileObject"}
    assert files == {
        f"{c}/{s}.parquet": sha256_file(hub / f"{c}/{s}.parquet") for c in CONFIGS for s in SPLITS
    }
    rai = "Collection AnnotationProtocol Biases Limitations UseCases ReleaseMaintenancePlan".split()
    assert all(meta[f"rai:data{f}"] for f in rai) and meta["rai:personalSensitiveInformation"]
    assert meta["rai:dataCollection"] in card and meta["rai:personalSensitiveInformation"][0] in card
    sets = {r["@id"]: r for r in meta["recordSet"]}
    assert set(sets) == set(CONFIGS) | set(ENUMERATIONS) | {"splits"}
    fields = {
        f["@id"]: f for c in CONFIGS for top in sets[c]["field"] for f in [top, *top.get("subField", [])]
    }
    # every ClassLabel, nested ones included, refers to an sc:Enumeration that mlcroissant reads as its names
    read = {}
    for rid in ENUMERATIONS:
        records = mlc.Dataset(jsonld=str(hub / "croissant.json")).records(record_set=rid)
        read[rid] = {r[f"{rid}/index"]: plain(r[f"{rid}/name"]) for r in records}
    labels = dict(label for config in CONFIGS for label in classlabels(config))
    assert len(labels) >= 10  # label, label_a, label_b, holders.label, holder_type, ner_tags, entities.label…
    for path, label in labels.items():
        ref = fields[path]["references"]["field"]["@id"]
        rid = ref.split("/")[0]
        assert ref == f"{rid}/index" and sets[rid]["key"] == {"@id": ref}
        assert sets[rid]["dataType"] == "sc:Enumeration"
        assert read[rid] == dict(enumerate(label.names)), path
    gold = {f["@id"] for f in fields.values() if "cr:Label" in (f.get("dataType") or [])}
    assert {"stance/label", "holders/label", "sentences/ner_tags"} <= gold
    assert sets["splits"]["dataType"] == "cr:Split" and sets["splits"]["key"] == {"@id": "splits/name"}
    splits = mlc.Dataset(jsonld=str(hub / "croissant.json")).records(record_set="splits")
    urls = ["cr:TrainingSplit", "cr:ValidationSplit", "cr:TestSplit"]
    assert [(plain(r["splits/name"]), plain(r["splits/url"])) for r in splits] == list(zip(SPLITS, urls))
    for config in CONFIGS:
        assert fields[f"{config}/split"]["references"] == {"field": {"@id": "splits/name"}}
        assert fields[f"{config}/split"]["source"]["extract"] == {"fileProperty": "fullpath"}


def publishable(project: Path) -> Layout:
    for name in ("figures", "LICENSE", "LICENSES"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, project / name)
    return Layout(project)


def test_publish_refuses_data_or_a_card_or_figure_that_differ_from_data(checkout, tmp_path):
    project = checkout
    layout, card = publishable(project), (project / "DATASET_CARD.md").read_text(encoding="utf-8")
    layout.card.write_text(card.replace("| test | 1 | 26 |", "| test | 9 | 26 |"), encoding="utf-8")
    with pytest.raises(DatasetError, match=r"\[publish-card-stale\].*block sizes$"):
        publish(layout, tmp_path / "out")
    stages = next(m["body"] for m in BLOCK.finditer(layout.readme.read_text()) if m["name"] == "stages")
    assert write_blocks(layout, stages) == [layout.card]  # the build rewrites the blocks from data/
    assert layout.card.read_bytes() == (ROOT / "DATASET_CARD.md").read_bytes()
    shutil.copy(layout.figures / "labels.png", layout.figures / "entities.png")
    with pytest.raises(DatasetError, match=r"\[publish-card-stale\].*figures/entities.png$"):
        publish(layout, tmp_path / "out")
    parquet = project / "data/stance/test.parquet"
    flipped = bytearray(parquet.read_bytes())
    flipped[100] ^= 1
    parquet.write_bytes(bytes(flipped))
    with pytest.raises(DatasetError, match=r"(?s)\[publish-data-invalid\].*stance/test.parquet"):
        publish(layout, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def tree(folder: Path) -> dict:
    return {p: p.is_file() and p.read_bytes() for p in folder.rglob("*")}


def test_publish_writes_only_a_new_empty_or_its_own_unchanged_folder(hub, checkout, tmp_path, capsys):
    project = checkout
    layout, root = publishable(project), str(project)
    for name in ("pyproject.toml", "CITATION.cff", "docs/pypi.md"):  # the dataset moved: the build follows
        (project / name).write_text(
            (project / name).read_text().replace("datasets/belgrade-stance/", "datasets/x/")
        )
    stages = next(m["body"] for m in BLOCK.finditer(layout.readme.read_text()) if m["name"] == "stages")
    assert write_blocks(layout, stages) == [layout.card]  # the BibTeX's url
    for _ in range(2):  # a new folder, then its own earlier output; Croissant's url is pyproject's Homepage
        assert main(["publish", "--root", root, "--out", str(tmp_path / "hub")]) == 0
    meta = json.loads((tmp_path / "hub/croissant.json").read_text())
    assert meta["url"].endswith("datasets/x/belgrade-stance") and meta["url"] in meta["citeAs"]
    with patch("belgrade_stance_build.publish.hub_folder.upload") as upload:  # a bare --repo-id: pyproject's
        assert (
            main(["publish", "--root", root, "--repo-id"]) == 0
            and "x/belgrade-stance" in upload.call_args.args
        )
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "afile").write_text("x")
    refused = {"link": "out-symlink", "dangling": "out-symlink", "afile": "out-not-folder"}
    refused |= {"afile/sub": "out-not-folder", f"{root}/data/stance": "out-inside-project"}
    refused |= {f"{root}/raw/texts/new": "out-inside-project"}
    changes = {  # an earlier publish changed by its user is no longer publish's to replace
        "extra-file": lambda out: (out / "my-notes.txt").write_text("mine"),
        "extra-folder": lambda out: (out / "drafts").mkdir(),
        "edited": lambda out: (out / "README.md").write_text("my edit"),
        "no-listing": lambda out: (out / "publish-manifest.json").unlink(),
        "bad-listing": lambda out: (out / "publish-manifest.json").write_text("[1, 2"),
    }
    for change, make in changes.items():
        shutil.copytree(hub, tmp_path / change)
        make(tmp_path / change)
        refused[change] = "out-foreign"
    for out, rule in refused.items():
        before = tree(tmp_path / out)
        assert main(["publish", "--root", root, "--out", str(tmp_path / out)]) == 1
        err = capsys.readouterr().err
        assert f"[{rule}]" in err and "Traceback" not in err, (out, err)
        assert tree(tmp_path / out) == before, out
    assert not (tmp_path / "nowhere").exists() and (tmp_path / "afile").read_text() == "x"


@pytest.mark.parametrize("repo_id", ["not a repo", "a/b/c", "-bad/name", "x" * 200, "user/na--me..", ""])
def test_an_invalid_repo_id_is_refused_before_anything_is_written(tmp_path, repo_id, monkeypatch, capsys):
    monkeypatch.setenv("HF_TOKEN", "hf_dummy")
    argv = ["publish", "--root", str(ROOT), "--out", str(tmp_path / "hub"), f"--repo-id={repo_id}"]
    assert main(argv) == 2  # a usage problem
    err = capsys.readouterr().err
    assert "[publish-repo-id]" in err and "Traceback" not in err
    assert not (tmp_path / "hub").exists()


@pytest.mark.parametrize(
    "error", [OSError("Network is unreachable"), RuntimeError("401: hf_secret_tok"), ValueError()]
)
def test_hub_errors_are_one_line_without_the_token(hub, monkeypatch, error):
    monkeypatch.setenv("HF_TOKEN", "hf_secret_tok")
    with pytest.raises(DatasetError) as failed:
        upload(hub, "someone/belgrade-stance", api=Mock(**{"create_repo.side_effect": error}))
    message = str(failed.value)
    assert message.startswith("[publish-upload]") and "\n" not in message and "hf_secret_tok" not in message


@pytest.mark.parametrize("where", ["environment", "saved login", "nowhere"])
def test_upload_takes_the_token_from_huggingface_hub_and_never_shows_it(hub, monkeypatch, capsys, where):
    """The token comes from $HF_TOKEN or from the login `hf auth login` saved (huggingface_hub's lookup)."""
    secret, saved, api = "hf_test_secret_value_123", Path(constants.HF_TOKEN_PATH), Mock()
    monkeypatch.delenv("HF_TOKEN", raising=False)
    if where == "nowhere":
        with pytest.raises(DatasetError, match=r"no Hugging Face token: set \$HF_TOKEN or log in"):
            upload(hub, "someone/belgrade-stance", api=api)
        # an environment problem: exit code 2
        assert main(["publish", "--root", str(ROOT), "--repo-id", "someone/belgrade-stance"]) == 2
        assert "[publish-no-token]" in capsys.readouterr().err and not api.mock_calls
        return
    if where == "environment":
        monkeypatch.setenv("HF_TOKEN", secret)
    else:
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(secret)
    try:
        assert upload(hub, "someone/belgrade-stance", api=api).endswith("datasets/someone/belgrade-stance")
    finally:
        saved.unlink(missing_ok=True)
    assert [call[0] for call in api.mock_calls] == ["create_repo", "upload_folder"]
    repo = {"repo_id": "someone/belgrade-stance", "repo_type": "dataset", "token": secret}
    api.create_repo.assert_called_once_with(repo.pop("repo_id"), exist_ok=True, **repo)
    sent = api.upload_folder.call_args.kwargs
    assert sent.items() >= {"folder_path": str(hub), "repo_id": "someone/belgrade-stance", **repo}.items()
    assert secret not in "".join(capsys.readouterr())
    assert not any(secret in p.read_text(errors="ignore") for p in hub.rglob("*") if p.is_file())
