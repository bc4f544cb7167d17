"""The Hugging Face dataset folder, and its upload.

    belgrade-stance publish --out DIR [--repo-id ID]

DIR receives exactly what is uploaded: README.md (the dataset card with its YAML front matter:
configs, dataset_info), <config>/<split>.parquet of every config and split, the figures,
croissant.json, annotation-guidelines.md, LICENSE, errors.md (every rule a problem can name), the
manifest and agreement report, and publish-manifest.json (the sha256 of every file publish wrote).
No loading script: the Hub and `datasets` read the Parquet files through the YAML `configs`.
Every check runs first (the destination, data/ against its manifest, the card and figures against
what the build draws from data/); the folder is then written aside and swapped in whole, and only
over an empty folder or a previous publish that nobody has changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from belgrade_stance_schema.inventory import DATASET_VERSION
from huggingface_hub import HfApi, get_token
from huggingface_hub.utils import HFValidationError, validate_repo_id

from belgrade_stance.errors import DatasetError
from belgrade_stance.outputs import OutputRefused, check_out, fill
from belgrade_stance.paths import manifest_path
from belgrade_stance.verify import read_manifest, verify
from belgrade_stance_build.card.figures import FIGURES, figure_pngs
from belgrade_stance_build.card.render import BLOCK, blocks
from belgrade_stance_build.layout import Layout
from belgrade_stance_build.publish.croissant import write_croissant

GUIDELINES = "annotation-guidelines.md"
ERRORS = "errors.md"
PUBLISH_MANIFEST = "publish-manifest.json"
"""Written last into every Hub folder: the sha256 of every other file publish wrote there. A later
publish replaces a folder only if it holds only these files, unchanged."""


class PublishFailed(DatasetError):
    """Publishing cannot go on; the message says why and what to do."""


def stale(layout: Layout) -> list[str]:
    """The card's generated blocks and the figures that differ from what the build writes from data/."""
    card = layout.card.read_text(encoding="utf-8")
    generated = blocks(layout)
    out = [
        f"block {m['name']}" for m in BLOCK.finditer(card) if generated.get(m["name"], m["body"]) != m["body"]
    ]
    for name, png in figure_pngs(layout.data).items():
        path = layout.figures / f"{name}.png"
        if not path.is_file() or path.read_bytes() != png:
            out.append(layout.rel(path))
    return out


def publish(layout: Layout, out: Path) -> Path:
    """Assemble the Hub folder at out (replacing only an empty folder or a previous publish left
    unchanged); return its path. Every check runs before anything is written."""
    try:
        out = check_out(out, "publish", [(layout.data, "data/"), (layout.raw, "raw/")], PUBLISH_MANIFEST)
    except OutputRefused as e:
        raise PublishFailed(e.rule, e.message, e.where) from None
    if problems := "\n".join(verify(layout.data, layout.root)):
        raise PublishFailed(
            "publish-data-invalid",
            f"does not match its manifest (run belgrade-stance build):\n{problems}",
            "data",
        )
    if differ := ", ".join(stale(layout)):
        raise PublishFailed(
            "publish-card-stale",
            f"differs from data/ (run belgrade-stance build): {differ}",
            "DATASET_CARD.md",
        )
    manifest = read_manifest(layout.data)
    files = [e["path"] for splits in manifest["configs"].values() for e in splits.values()]
    files += [e["path"] for e in manifest["reports"].values()]
    with fill(out, "publish", PUBLISH_MANIFEST) as tmp:
        for path in files:
            (tmp / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(layout.data / path, tmp / path)
        shutil.copyfile(manifest_path(layout.data), manifest_path(tmp))
        shutil.copyfile(layout.guidelines, tmp / GUIDELINES)
        shutil.copyfile(layout.root / "LICENSE", tmp / "LICENSE")
        shutil.copyfile(layout.root / "docs" / ERRORS, tmp / ERRORS)
        (tmp / "figures").mkdir()
        for name in FIGURES:  # the card's images, at the same relative paths
            shutil.copyfile(layout.figures / f"{name}.png", tmp / "figures" / f"{name}.png")
        card = layout.card.read_text(encoding="utf-8")  # links into the checkout point at the folder's files
        card = card.replace("](docs/annotation-guidelines.md)", f"]({GUIDELINES})").replace(
            "](docs/errors.md)", f"]({ERRORS})"
        )
        (tmp / "README.md").write_text(card, encoding="utf-8")
        write_croissant(tmp)
    return out


def check_repo_id(repo_id: str) -> None:
    """A Hub repo id as the Hub accepts it (checked here, before anything is written or sent)."""
    try:
        validate_repo_id(repo_id)
    except HFValidationError as e:
        raise PublishFailed(
            "publish-repo-id", f"{repo_id!r} is not a valid Hub repo id: {str(e).splitlines()[0]}"
        ) from None


def upload(folder: Path, repo_id: str, api=None) -> str:
    """Upload the folder to the dataset repo repo_id; return the URL.

    The token is huggingface_hub's own lookup (get_token: $HF_TOKEN, else the login saved by
    `hf auth login`), passed to huggingface_hub, never printed or written. api: an HfApi-like
    object (tests pass a stand-in).
    """
    token = (get_token() or "").strip()
    if not token:
        raise PublishFailed(
            "publish-no-token",
            "no Hugging Face token: set $HF_TOKEN or log in with `hf auth login` to upload "
            "(nothing was uploaded)",
        )
    check_repo_id(repo_id)
    api = api or HfApi()
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True, token=token)
        message = f"belgrade-stance {DATASET_VERSION}"
        api.upload_folder(
            folder_path=str(folder), repo_id=repo_id, repo_type="dataset", token=token, commit_message=message
        )
    except Exception as e:  # network, HTTP and Hub errors of any kind: one line, the token never shown
        first = (str(e).splitlines() or [""])[0].replace(token, "***")
        raise PublishFailed(
            "publish-upload", f"uploading to {repo_id} failed: {type(e).__name__}: {first}"
        ) from None
    return f"https://huggingface.co/datasets/{repo_id}"
