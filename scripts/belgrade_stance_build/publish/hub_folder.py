"""Stage: hub — the Hugging Face dataset folder, and its upload.

    belgrade-stance publish --out DIR [--repo-id ID]

DIR receives exactly what is uploaded: README.md (the dataset card with its YAML front matter:
configs, dataset_info), <config>/<split>.parquet of every config and split, croissant.json,
annotation-guidelines.md, LICENSE, errors.md (every rule a problem can name), the manifest and agreement report, and publish-manifest.json (the
sha256 of every file publish wrote). No loading script: the Hub and `datasets` read the Parquet
files through the YAML `configs`. Every check runs first (the destination, data/ against its
manifest, the card); the folder is then written aside and swapped in whole, and only over an
empty folder or a previous publish that nobody has changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from belgrade_stance.errors import DatasetError
from belgrade_stance.outputs import fill
from belgrade_stance.paths import manifest_path
from belgrade_stance_build.layout import Layout
from belgrade_stance.verify import read_manifest, verify

GUIDELINES = "annotation-guidelines.md"
ERRORS = "errors.md"
TOKEN_VARIABLE = "HF_TOKEN"


class PublishFailed(DatasetError):
    """Publishing cannot go on; the message says why and what to do."""

    def __init__(self, rule_id: str, where: str | None, message: str):
        super().__init__(rule_id, message, where)


def card_for_hub(card_text: str) -> str:
    """The card as the folder's README.md: links into the checkout point at the folder's files."""
    return card_text.replace("](docs/annotation-guidelines.md)", f"]({GUIDELINES})").replace(
        "](docs/errors.md)", f"]({ERRORS})")


PUBLISH_MANIFEST = "publish-manifest.json"
"""Written last into every Hub folder: the sha256 of every other file publish wrote there. A later
publish replaces a folder only if it holds exactly these files, unchanged."""


def check_out(layout: Layout, out: Path) -> Path:
    """The folder publish may write (resolved), or PublishFailed saying why not. Nothing is touched.
    The rules are every output folder's (belgrade_stance.outputs), with publish-manifest.json as the listing."""
    from belgrade_stance.outputs import OutputRefused, check_out as check_output

    try:
        return check_output(out, "publish", [(layout.data, "data/"), (layout.raw, "raw/")], PUBLISH_MANIFEST)
    except OutputRefused as e:
        raise PublishFailed(e.rule, e.where, e.message) from None


def publish(layout: Layout, out: Path) -> Path:
    """Assemble the Hub folder at out (replacing only an empty folder or a previous publish left
    unchanged); return its path. Every check runs before anything is written."""
    from belgrade_stance_build.card.render import check_card
    from belgrade_stance_build.publish.croissant import write_croissant

    out = check_out(layout, out)
    problems = verify(layout.data, layout.root)
    if problems:
        raise PublishFailed("publish-data-invalid", "data", "does not match its manifest (run belgrade-stance build):\n" + "\n".join(problems))
    stale = check_card(layout)
    if stale:
        raise PublishFailed("publish-card-stale", "DATASET_CARD.md", "is stale (run belgrade-stance card):\n" + "\n".join(stale))
    with fill(out, "publish", PUBLISH_MANIFEST) as tmp:
        manifest = read_manifest(layout.data)
        for splits in manifest["configs"].values():
            for entry in splits.values():
                dst = tmp / entry["path"]
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(layout.data / entry["path"], dst)
        for entry in manifest["reports"].values():
            shutil.copyfile(layout.data / entry["path"], tmp / entry["path"])
        shutil.copyfile(manifest_path(layout.data), manifest_path(tmp))
        shutil.copyfile(layout.guidelines, tmp / GUIDELINES)
        shutil.copyfile(layout.root / "LICENSE", tmp / "LICENSE")
        shutil.copyfile(layout.root / "docs" / ERRORS, tmp / ERRORS)
        from belgrade_stance_build.card.figures import FIGURES

        (tmp / "figures").mkdir()
        for name in FIGURES:  # the card's images, at the same relative paths
            shutil.copyfile(layout.figures / f"{name}.png", tmp / "figures" / f"{name}.png")
        (tmp / "README.md").write_text(card_for_hub(layout.card.read_text(encoding="utf-8")), encoding="utf-8")
        write_croissant(tmp)
    return out


def check_repo_id(repo_id: str) -> None:
    """A Hub repo id as the Hub accepts it (checked here, before anything is written or sent)."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as e:
        raise PublishFailed("publish-repo-id", None, f"{repo_id!r} is not a valid Hub repo id: "
                            f"{str(e).splitlines()[0]}") from None


def upload(folder: Path, repo_id: str, api=None) -> str:
    """Upload the folder to the dataset repo repo_id with the token in $HF_TOKEN; return the URL.

    The token is huggingface_hub's own lookup (get_token: $HF_TOKEN, else the login saved by
    `hf auth login`), passed to huggingface_hub, never printed or written. api: an HfApi-like
    object (tests pass a stand-in).
    """
    from huggingface_hub import get_token

    token = (get_token() or "").strip()
    if not token:
        raise PublishFailed("publish-no-token", None, f"no Hugging Face token: set ${TOKEN_VARIABLE} or log in with "
                            "`hf auth login` to upload (nothing was uploaded)")
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()
    from belgrade_stance_schema.inventory import DATASET_VERSION

    check_repo_id(repo_id)
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True, token=token)
        api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="dataset", token=token,
                          commit_message=f"belgrade-stance {DATASET_VERSION}")
    except Exception as e:  # network, HTTP and Hub errors of any kind: one line, the token never shown
        first = (str(e).splitlines() or [""])[0].replace(token, "***")
        raise PublishFailed("publish-upload", None, f"uploading to {repo_id} failed: {type(e).__name__}: {first}") from None
    return f"https://huggingface.co/datasets/{repo_id}"
