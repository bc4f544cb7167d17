"""The Hugging Face folder: exactly the upload, loadable offline by `datasets`, equal to data/,
with Croissant metadata that mlcroissant validates and loads; the upload guarded by huggingface_hub's token lookup."""

from __future__ import annotations

import json
from pathlib import Path

import subprocess
import sys

import pyarrow.parquet as pq
import pytest
import yaml

import belgrade_stance
from belgrade_stance.cli import main
from belgrade_stance.paths import split_file
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.features import features
from belgrade_stance_schema.inventory import CONFIGS, DEFAULT_CONFIG, ENTITY_TYPES, NER_TAGS, SPLITS, STANCE_LABELS
from belgrade_stance_build.publish.hub_folder import PublishFailed, publish, upload
from helpers import ROOT


def front_matter(path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_the_folder_holds_exactly_the_upload(hub):
    files = {str(p.relative_to(hub)) for p in hub.rglob("*") if p.is_file()}
    parquet = {f"{c}/{s}.parquet" for c in CONFIGS for s in SPLITS}
    from belgrade_stance_build.card.figures import FIGURES

    assert files == parquet | {"README.md", "croissant.json", "annotation-guidelines.md", "errors.md", "LICENSE", "manifest.json",
                               "agreement.json", "publish-manifest.json"} | {f"figures/{name}.png" for name in FIGURES}
    listed = json.loads((hub / "publish-manifest.json").read_text())["files"]
    assert set(listed) == files - {"publish-manifest.json"}
    assert not any(f.endswith(".py") for f in files)
    for f in parquet:
        assert (hub / f).read_bytes() == (ROOT / "data" / f).read_bytes()


def test_readme_yaml_declares_configs_and_every_feature(hub):
    from datasets import Features

    meta = front_matter(hub / "README.md")
    for key in ("pretty_name", "license", "language", "multilinguality", "size_categories", "task_categories",
                "task_ids", "tags", "annotations_creators", "source_datasets", "configs", "dataset_info"):
        assert meta.get(key), key
    assert meta["task_categories"] == ["text-classification", "token-classification"]
    assert "named-entity-recognition" in meta["task_ids"] and "stance-detection" in meta["tags"]
    assert meta["annotations_creators"] == ["machine-generated"]
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert list(configs) == list(CONFIGS) and configs[DEFAULT_CONFIG].get("default") is True
    infos = {i["config_name"]: i for i in meta["dataset_info"]}
    for c in CONFIGS:
        assert Features._from_yaml_list(infos[c]["features"]) == features(c)
        assert {s["name"]: s["num_examples"] for s in infos[c]["splits"]} == {
            s: pq.read_metadata(split_file(ROOT / "data", c, s)).num_rows for s in SPLITS}


def test_load_dataset_of_the_folder_gives_the_default_config(hub):
    from datasets import load_dataset

    ds = load_dataset(str(hub))
    assert list(ds) == list(SPLITS)
    assert ds["test"].features == features(DEFAULT_CONFIG)


@pytest.mark.parametrize("config", CONFIGS)
def test_load_dataset_every_config_equals_data_and_loader(hub, config):
    from datasets import load_dataset

    ds = load_dataset(str(hub), config)
    mine = belgrade_stance.load(config, format="datasets")
    assert list(ds) == list(SPLITS) == list(mine)
    for split in SPLITS:
        assert ds[split].features == features(config) == mine[split].features
        rows = pq.read_table(split_file(ROOT / "data", config, split)).to_pylist()
        assert ds[split].num_rows == len(rows)
        assert ds[split].to_list() == rows == mine[split].to_list()
        assert belgrade_stance.load(config, split, format="arrow").to_pylist() == rows
    f = ds["train"].features
    if config == "stance":
        assert f["label"].names == list(STANCE_LABELS)
    if config == "sentences":
        assert f["ner_tags"].feature.names == list(NER_TAGS)
        assert f["entities"].feature["label"].names == list(ENTITY_TYPES)


def _mlcroissant(*args, cwd):
    from pathlib import Path

    exe = Path(sys.executable).parent / "mlcroissant"  # the console script of the test environment
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd)


def test_mlcroissant_validate_and_load_commands(hub):
    out = _mlcroissant("validate", "--jsonld", str(hub / "croissant.json"), cwd=hub)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Done." in out.stderr + out.stdout
    out = _mlcroissant("load", "--jsonld", str(hub / "croissant.json"), "--record_set", "stance",
                       "--num_records", "3", cwd=hub)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count("'stance/id'") == 3


@pytest.mark.parametrize("config", CONFIGS)
def test_mlcroissant_loads_the_records_of_every_config(hub, config):
    import mlcroissant as mlc

    ds = mlc.Dataset(jsonld=str(hub / "croissant.json"))
    key = "id" if config != "documents" else "doc_id"
    got = sorted(r[f"{config}/{key}"].decode() for r in ds.records(record_set=config))
    want = sorted(v for s in SPLITS for v in pq.read_table(split_file(ROOT / "data", config, s))[key].to_pylist())
    assert got == want
    if config == "sentences":  # list-valued columns come through as arrays
        # mlcroissant yields a record set with references once per Dataset object: a new one per pass
        first = next(iter(mlc.Dataset(jsonld=str(hub / "croissant.json")).records(record_set=config)))
        row = next(r for s in SPLITS for r in pq.read_table(split_file(ROOT / "data", config, s)).to_pylist()
                   if r["id"] == first["sentences/id"].decode())
        assert [t.decode() for t in first["sentences/tokens"]] == row["tokens"]
        assert list(first["sentences/ner_tags"]) == row["ner_tags"]


def test_croissant_lists_every_parquet_file_with_its_sha256(hub):
    import json

    from belgrade_stance.verify import sha256_file

    meta = json.loads((hub / "croissant.json").read_text(encoding="utf-8"))
    assert meta["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    files = {d["contentUrl"]: d["sha256"] for d in meta["distribution"] if d["@type"] == "cr:FileObject"}
    assert files == {f"{c}/{s}.parquet": sha256_file(hub / c / f"{s}.parquet") for c in CONFIGS for s in SPLITS}
    from belgrade_stance_build.publish.croissant import ENUMERATIONS

    assert {r["name"] for r in meta["recordSet"]} == set(CONFIGS) | {e[0] for e in ENUMERATIONS} | {"splits"}
    for field in ("rai:dataCollection", "rai:dataAnnotationProtocol", "rai:personalSensitiveInformation",
                  "rai:dataBiases", "rai:dataLimitations", "rai:dataUseCases", "rai:dataReleaseMaintenancePlan"):
        assert meta.get(field), field


def test_publish_refuses_data_that_does_not_match_its_manifest(project, tmp_path):
    (project / "docs").mkdir()
    (project / "DATASET_CARD.md").write_text((ROOT / "DATASET_CARD.md").read_text())
    (project / "docs/annotation-guidelines.md").write_text("g")
    p = project / "data/stance/test.parquet"
    b = bytearray(p.read_bytes())
    b[100] ^= 1
    p.write_bytes(bytes(b))
    with pytest.raises(PublishFailed, match="stance/test.parquet"):
        publish(Layout(project), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_publish_refuses_a_stale_card(project, tmp_path):
    (project / "docs").mkdir()
    (project / "docs/annotation-guidelines.md").write_text("g")
    (project / "DATASET_CARD.md").write_text((ROOT / "DATASET_CARD.md").read_text().replace("| test | 1 |", "| test | 9 |"))
    with pytest.raises(PublishFailed, match="stale"):
        publish(Layout(project), tmp_path / "out")


def test_publish_will_not_overwrite_a_foreign_folder(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(PublishFailed, match=r"\[out-foreign\]"):
        publish(Layout(ROOT), out)
    assert (out / "notes.txt").read_text() == "keep me"


def _tree(folder):
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in folder.rglob("*")}


@pytest.mark.parametrize("change", ["extra-file", "extra-folder", "edited", "croissant-only", "bad-listing"])
def test_publish_replaces_only_its_own_unchanged_folder(tmp_path, change, capsys):
    out = tmp_path / "hub"
    assert main(["publish", "--root", str(ROOT), "--out", str(out)]) == 0
    if change == "extra-file":
        (out / "my-notes.txt").write_text("mine")
    elif change == "extra-folder":
        (out / "drafts").mkdir()
        (out / "drafts" / "a.md").write_text("mine")
    elif change == "edited":
        (out / "README.md").write_text((out / "README.md").read_text() + "\nmy edit\n")
    elif change == "croissant-only":  # a folder that merely holds a croissant.json is not ours
        out = tmp_path / "other"
        out.mkdir()
        (out / "croissant.json").write_text("{}")
        (out / "data.csv").write_text("a,b\n")
    else:
        (out / "publish-manifest.json").write_text("[1, 2")
    before = _tree(out)
    capsys.readouterr()
    assert main(["publish", "--root", str(ROOT), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "[out-foreign]" in err and "Traceback" not in err
    assert _tree(out) == before


@pytest.mark.parametrize("where", ["data", "data/stance", "raw", "raw/texts/new"])
def test_publish_refuses_a_folder_inside_data_or_raw(project, where):
    with pytest.raises(PublishFailed, match=r"\[out-inside-project\]"):
        publish(Layout(project), project / where)


def test_publish_refuses_symlinks_and_files(tmp_path, capsys):
    target = tmp_path / "real"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "afile").write_text("x")
    for out, rule in (("link", "out-symlink"), ("dangling", "out-symlink"),
                      ("afile", "out-not-folder"), ("afile/sub", "out-not-folder")):
        assert main(["publish", "--root", str(ROOT), "--out", str(tmp_path / out)]) == 1
        err = capsys.readouterr().err
        assert f"[{rule}]" in err and "Traceback" not in err, (out, err)
    assert not (tmp_path / "nowhere").exists() and list(target.iterdir()) == []
    assert (tmp_path / "afile").read_text() == "x"


@pytest.mark.parametrize("repo_id", ["not a repo", "a/b/c", "-bad/name", "x" * 200, "user/na--me..", ""])
def test_an_invalid_repo_id_is_refused_before_anything_is_written(tmp_path, repo_id, monkeypatch, capsys):
    monkeypatch.setenv("HF_TOKEN", "hf_dummy")
    assert main(["publish", "--root", str(ROOT), "--out", str(tmp_path / "hub"), f"--repo-id={repo_id}"]) == 2  # a usage problem
    err = capsys.readouterr().err
    assert "[publish-repo-id]" in err and "Traceback" not in err
    assert not (tmp_path / "hub").exists()


class FailingApi:
    def __init__(self, error):
        self.error = error

    def create_repo(self, repo_id, **kw):
        raise self.error


@pytest.mark.parametrize("error", [OSError("Network is unreachable"), RuntimeError("401 Client Error: hf_secret_tok"),
                                   ValueError("")])
def test_hub_errors_are_one_line_without_the_token(hub, monkeypatch, error):
    monkeypatch.setenv("HF_TOKEN", "hf_secret_tok")
    with pytest.raises(PublishFailed) as failed:
        upload(hub, "someone/belgrade-stance", api=FailingApi(error))
    message = str(failed.value)
    assert message.startswith("[publish-upload]") and "\n" not in message and "hf_secret_tok" not in message


def test_upload_without_token_is_a_clear_error(hub, monkeypatch, capsys):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(PublishFailed, match=r"no Hugging Face token: set \$HF_TOKEN or log in"):
        upload(hub, "someone/belgrade-stance")
    assert main(["publish", "--root", str(ROOT), "--repo-id", "someone/belgrade-stance"]) == 2  # environment
    assert "[publish-no-token]" in capsys.readouterr().err


def test_upload_uses_the_saved_hugging_face_login(hub, monkeypatch, capsys):
    """No $HF_TOKEN, but a token saved by `hf auth login`: huggingface_hub's own lookup finds it."""
    from huggingface_hub import constants

    monkeypatch.delenv("HF_TOKEN", raising=False)
    saved = Path(constants.HF_TOKEN_PATH)
    assert not saved.exists()
    secret = "hf_saved_login_token_456"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(secret)
    try:
        api = FakeApi()
        upload(hub, "someone/belgrade-stance", api=api)
    finally:
        saved.unlink()
    assert api.calls[1][2]["token"] == secret
    out = capsys.readouterr()
    assert secret not in out.out + out.err
    assert not any(secret in p.read_text(errors="ignore") for p in hub.rglob("*") if p.is_file())


class FakeApi:
    def __init__(self):
        self.calls = []

    def create_repo(self, repo_id, **kw):
        self.calls.append(("create_repo", repo_id, kw))

    def upload_folder(self, **kw):
        self.calls.append(("upload_folder", kw["repo_id"], kw))


def test_upload_sends_the_folder_with_the_token_from_the_environment_only(hub, monkeypatch, capsys):
    secret = "hf_test_secret_value_123"
    monkeypatch.setenv("HF_TOKEN", secret)
    api = FakeApi()
    url = upload(hub, "someone/belgrade-stance", api=api)
    assert url.endswith("datasets/someone/belgrade-stance")
    (c1, repo1, kw1), (c2, repo2, kw2) = api.calls
    assert (c1, c2) == ("create_repo", "upload_folder") and repo1 == repo2 == "someone/belgrade-stance"
    assert kw1["repo_type"] == kw2["repo_type"] == "dataset" and kw2["token"] == secret
    assert kw2["folder_path"] == str(hub)
    out = capsys.readouterr()
    assert secret not in out.out + out.err
    assert not any(secret in p.read_text(errors="ignore") for p in hub.rglob("*") if p.is_file())


def test_cli_publish_writes_the_folder(tmp_path, capsys):
    assert main(["publish", "--root", str(ROOT), "--out", str(tmp_path / "hub")]) == 0
    assert (tmp_path / "hub" / "croissant.json").is_file()
    assert main(["publish", "--root", str(ROOT), "--out", str(tmp_path / "hub")]) == 0  # replaces its own


def test_every_machine_readable_licence_says_the_same(hub):
    """Package metadata, Hub YAML and Croissant all state CC BY 4.0 for the annotations and the
    texts as third-party (LicenseRef-Third-Party-Texts)."""
    import tomllib

    import yaml

    from belgrade_stance_schema.inventory import LICENSE_EXPRESSION, LICENSES

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == LICENSE_EXPRESSION
    for pattern in project["license-files"]:
        assert list(ROOT.glob(pattern)), pattern
    readme = (hub / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(readme.split("---\n")[1])
    assert front["license"] == "other" and front["license_link"] == "LICENSE" and "third-party" in front["license_name"]
    assert (hub / "LICENSE").read_text(encoding="utf-8") == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert LICENSE_EXPRESSION in (hub / "LICENSE").read_text(encoding="utf-8")
    croissant = json.loads((hub / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["license"] == list(LICENSES)
    assert LICENSES[0] in (ROOT / "LICENSE").read_text(encoding="utf-8").replace("legalcode", "")
    assert LICENSE_EXPRESSION in readme and "LicenseRef-Third-Party-Texts" in readme


def _plain(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


@pytest.mark.parametrize("config", CONFIGS)
def test_mlcroissant_loads_every_field_nested_ones_included_equal_to_the_parquet(hub, config):
    """Every field of the record set, lists of structs as repeated subFields, equals the data."""
    import mlcroissant as mlc

    from belgrade_stance_schema.features import features

    ds = mlc.Dataset(jsonld=str(hub / "croissant.json"))
    key = "id" if config != "documents" else "doc_id"
    rows = {r[key]: r for s in SPLITS for r in pq.read_table(split_file(ROOT / "data", config, s)).to_pylist()}
    names = list(features(config))
    seen = 0
    for record in ds.records(record_set=config):
        row = rows[_plain(record[f"{config}/{key}"])]
        assert sorted(k.split("/", 1)[1] for k in record) == sorted(names)
        for name in names:
            got = record[f"{config}/{name}"]
            want = row[name]
            if isinstance(want, list) and want and isinstance(want[0], dict):
                got = [{k.rsplit("/", 1)[1]: _plain(v) for k, v in item.items()} for item in got]
                assert got == want, (config, name, row[key])
            elif isinstance(want, list):
                assert [_plain(v) for v in got] == want, (config, name, row[key])
            else:
                assert _plain(got) == want, (config, name, row[key])
        seen += 1
    assert seen == len(rows)


def _classlabels(config):
    """(field path, ClassLabel) of every ClassLabel of a config: top level, inside lists and structs."""
    from datasets import ClassLabel, List

    from belgrade_stance_schema.features import features

    for name, feature in features(config).items():
        inner = feature.feature if isinstance(feature, List) else feature
        if isinstance(inner, ClassLabel):
            yield f"{config}/{name}", inner
        elif isinstance(inner, dict):
            yield from ((f"{config}/{name}/{k}", sub) for k, sub in inner.items() if isinstance(sub, ClassLabel))


def test_croissant_names_the_classes_of_every_label_field_by_an_enumeration_mlcroissant_reads(hub):
    """Every ClassLabel field, nested ones included, refers to an sc:Enumeration record set whose
    records (read by mlcroissant) map each stored index to the ClassLabel's name, in order."""
    import json

    import mlcroissant as mlc

    meta = json.loads((hub / "croissant.json").read_text(encoding="utf-8"))
    sets = {r["@id"]: r for r in meta["recordSet"]}

    def walk(fields):
        for f in fields:
            yield f
            yield from walk(f.get("subField", []))

    fields = {f["@id"]: f for c in CONFIGS for f in walk(sets[c]["field"])}
    checked = 0
    for config in CONFIGS:
        for path, label in _classlabels(config):
            ref = fields[path]["references"]["field"]["@id"]
            enum_id, key = ref.split("/")
            enum = sets[enum_id]
            assert enum["dataType"] == "sc:Enumeration" and enum["key"] == {"@id": ref} and key == "index", path
            assert {f["name"] for f in enum["field"]} >= {"index", "name"}  # the spec's required name field
            records = list(mlc.Dataset(jsonld=str(hub / "croissant.json")).records(record_set=enum_id))
            got = {r[f"{enum_id}/index"]: _plain(r[f"{enum_id}/name"]) for r in records}
            assert got == dict(enumerate(label.names)), path
            checked += 1
    assert checked >= 10  # label, label_a, label_b, holders.label, holder_type, ner_tags, entities.label, …
    gold = {f["@id"] for f in fields.values() if "cr:Label" in (f.get("dataType") or [])}
    assert {"stance/label", "holders/label", "sentences/ner_tags"} <= gold


def test_croissant_splits_are_a_cr_split_record_set_every_split_field_refers_to_and_reads_from_the_path(hub):
    import json

    import mlcroissant as mlc

    meta = json.loads((hub / "croissant.json").read_text(encoding="utf-8"))
    sets = {r["@id"]: r for r in meta["recordSet"]}
    assert sets["splits"]["dataType"] == "cr:Split" and sets["splits"]["key"] == {"@id": "splits/name"}
    records = list(mlc.Dataset(jsonld=str(hub / "croissant.json")).records(record_set="splits"))
    assert [(_plain(r["splits/name"]), _plain(r["splits/url"])) for r in records] == [
        ("train", "cr:TrainingSplit"), ("validation", "cr:ValidationSplit"), ("test", "cr:TestSplit")]
    for config in CONFIGS:
        field = next(f for f in sets[config]["field"] if f["name"] == "split")
        assert field["references"] == {"field": {"@id": "splits/name"}}
        assert field["source"]["extract"] == {"fileProperty": "fullpath"}
        # every record's split equals the split of the file it was read from (and the Parquet's column)
        ds = mlc.Dataset(jsonld=str(hub / "croissant.json"))
        key = "id" if config != "documents" else "doc_id"
        got = {_plain(r[f"{config}/{key}"]): _plain(r[f"{config}/split"]) for r in ds.records(record_set=config)}
        want = {k: s for s in SPLITS for k in pq.read_table(split_file(hub, config, s))[key].to_pylist()}
        assert got == want
