"""The Label Studio round trip through a real Label Studio server: a project made with the shipped
labelling config imports the tasks with their pre-annotations; annotations submitted from them
(one corrected) are exported by Label Studio and imported back into raw/.

Needs the `label-studio` command ($LABEL_STUDIO_BIN, or on PATH); .ci/run installs it in a
venv of its own."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from helpers import need, tree_digest
from test_exports import cli, export_tasks

TOKEN = "b5c0c0ffee0123456789abcdef0123456789abcd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory):
    exe = os.environ.get("LABEL_STUDIO_BIN") or shutil.which("label-studio")
    if not exe:
        need("label-studio", "pip install label-studio in a venv and set LABEL_STUDIO_BIN (.ci/run does)")
    home = tmp_path_factory.mktemp("label-studio")
    port = _free_port()
    env = dict(os.environ, LABEL_STUDIO_BASE_DATA_DIR=str(home), LABEL_STUDIO_USERNAME="ci@example.org",
               LABEL_STUDIO_PASSWORD="not-a-secret-1", LABEL_STUDIO_USER_TOKEN=TOKEN,
               LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true", LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true")
    log = open(home / "server.log", "w")
    proc = subprocess.Popen([exe, "start", "--no-browser", "--port", str(port), "--internal-host", "127.0.0.1"],
                            cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if proc.poll() is not None:
                pytest.fail("label-studio exited:\n" + (home / "server.log").read_text()[-3000:])
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                time.sleep(1)
        else:
            pytest.fail("label-studio did not start:\n" + (home / "server.log").read_text()[-3000:])
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def api(base: str, method: str, path: str, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        pytest.fail(f"{method} {path}: {e.code} {e.read().decode()[:2000]}")


def test_label_studio_imports_the_tasks_and_its_export_comes_back(label_studio, project, tmp_path):
    tasks = export_tasks(project, tmp_path / "ls")
    config = (tmp_path / "ls" / "label-config.xml").read_text(encoding="utf-8")
    ls_project = api(label_studio, "POST", "/api/projects", {"title": "belgrade-stance gold", "label_config": config})
    imported = api(label_studio, "POST", f"/api/projects/{ls_project['id']}/import", tasks)
    assert imported["task_count"] == len(tasks) and imported["prediction_count"] == len(tasks)

    # an annotator accepts every pre-annotation as Label Studio stored it, correcting one entity type
    # (of a surface form found once in the corpus, so the corrected gold stays consistent)
    predictions = api(label_studio, "GET", f"/api/predictions?project={ls_project['id']}")
    assert len(predictions) == len(tasks)
    stored = {t["id"]: t for t in api(label_studio, "GET",
                                      f"/api/projects/{ls_project['id']}/export?exportType=JSON&download_all_tasks=true")}
    for pred in predictions:
        result = pred["result"]
        if stored[pred["task"]]["data"]["sentence_id"] == "d03-s020":
            region = next(r for r in result if r.get("from_name") == "entity" and r["value"]["text"] == "Novi Urengoj")
            region["value"]["labels"] = ["LOC"]
        api(label_studio, "POST", f"/api/tasks/{pred['task']}/annotations", {"result": result})
    export = api(label_studio, "GET", f"/api/projects/{ls_project['id']}/export?exportType=JSON")
    assert len(export) == len(tasks) and all(t["annotations"] for t in export)
    path = tmp_path / "label-studio-export.json"
    path.write_text(json.dumps(export), encoding="utf-8")

    before = tree_digest(project / "raw")
    old = (project / "raw/annotations/gold/d03.jsonl").read_text(encoding="utf-8").splitlines()
    done = cli("import-label-studio", path, "--root", project)
    assert done.returncode == 0, done.stderr
    after = tree_digest(project / "raw")
    assert {k for k in before if before[k] != after[k]} == {"annotations/gold/d03.jsonl"}
    new = (project / "raw/annotations/gold/d03.jsonl").read_text(encoding="utf-8").splitlines()
    diff = [(a, b) for a, b in zip(old, new) if a != b]
    assert len(old) == len(new) and len(diff) == 1
    assert json.loads(diff[0][1]) == {**json.loads(diff[0][0]), "label": "LOC"}
    assert cli("build", "--root", project).returncode == 0
