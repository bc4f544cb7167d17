"""The Label Studio round trip through a real Label Studio server ($LABEL_STUDIO_BIN or on PATH;
.ci/run installs it): a project made with the exported config and tasks, its pre-annotations
submitted (one corrected), Label Studio's export imported back into raw/."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest
from test_exports import correct, imports_the_correction

from belgrade_stance_build.annotation.label_studio import export_label_studio
from belgrade_stance_build.layout import Layout
from helpers import need

TOKEN = "b5c0c0ffee0123456789abcdef0123456789abcd"


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory):
    """api(method, path, body) of a Label Studio server started for these tests."""
    exe = os.environ.get("LABEL_STUDIO_BIN") or shutil.which("label-studio")
    if not exe:
        need("label-studio", "pip install label-studio in a venv and set LABEL_STUDIO_BIN (.ci/run does)")
    home = tmp_path_factory.mktemp("label-studio")
    if template := os.environ.get("LABEL_STUDIO_TEMPLATE"):  # a data folder migrated once (.ci/run makes it)
        shutil.copytree(template, home, dirs_exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, LABEL_STUDIO_BASE_DATA_DIR=str(home), LABEL_STUDIO_USERNAME="ci@example.org")
    env |= dict(LABEL_STUDIO_PASSWORD="not-a-secret-1", LABEL_STUDIO_USER_TOKEN=TOKEN)
    env |= dict(LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true", LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true")

    def api(method: str, path: str, body=None, timeout: float = 120):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"}
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data, headers, method=method)
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return json.loads(r.read() or b"null")

    def up() -> bool:
        try:
            return api("GET", "/health", timeout=2) or True
        except OSError:  # not listening yet
            return False

    command = [exe, "start", "--no-browser", "--port", str(port), "--internal-host", "127.0.0.1"]
    with open(log := home / "server.log", "w") as out:
        server = subprocess.Popen(command, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 240
            while not up():
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(1)
            yield api
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


@pytest.mark.slow
def test_label_studio_imports_the_tasks_and_its_export_comes_back(label_studio, project, tmp_path):
    export_label_studio(Layout(project), tmp_path / "ls")
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))
    config = (tmp_path / "ls" / "label-config.xml").read_text(encoding="utf-8")
    ls_project = label_studio("POST", "/api/projects", {"title": "stance", "label_config": config})["id"]
    imported = label_studio("POST", f"/api/projects/{ls_project}/import", tasks)
    assert imported["task_count"] == imported["prediction_count"] == len(tasks)

    # an annotator accepts every pre-annotation as Label Studio stored it, correcting one entity type
    export = f"/api/projects/{ls_project}/export?exportType=JSON"
    all_tasks = label_studio("GET", export + "&download_all_tasks=true")
    sentence_of = {t["id"]: t["data"]["sentence_id"] for t in all_tasks}
    predictions = label_studio("GET", f"/api/predictions?project={ls_project}")
    assert len(predictions) == len(tasks)
    for prediction in predictions:
        if sentence_of[prediction["task"]] == "d03-s020":
            correct(prediction["result"])
        label_studio("POST", f"/api/tasks/{prediction['task']}/annotations", {"result": prediction["result"]})
    tasks = label_studio("GET", export)
    assert len(tasks) == len(sentence_of) and all(t["annotations"] for t in tasks)
    (tmp_path / "export.json").write_text(json.dumps(tasks), encoding="utf-8")
    imports_the_correction(project, tmp_path / "export.json")
