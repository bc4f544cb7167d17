"""Stage: hub — the Hugging Face dataset folder, and its upload.

    belgrade-stance publish --out DIR [--repo-id ID]

DIR receives exactly what is uploaded: README.md (the dataset card with its YAML front matter:
configs, dataset_info), <config>/<split>.parquet of every config and split, croissant.json,
annotation-guidelines.md, and the manifest and agreement report. No loading script: the Hub and
`datasets` read the Parquet files through the YAML `configs`. The folder is written aside and
swapped in whole; data/ is verified and the card checked first.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from belgrade_stance.files import folder_swap
from belgrade_stance.paths import manifest_path
from belgrade_stance_build.layout import Layout
from belgrade_stance.verify import read_manifest, verify

GUIDELINES = "annotation-guidelines.md"
TOKEN_VARIABLE = "HF_TOKEN"


class PublishFailed(RuntimeError):
    """Publishing cannot go on; the message says why and what to do."""


def card_for_hub(card_text: str) -> str:
    """The card as the folder's README.md: links into the checkout point at the folder's files."""
    return card_text.replace("](docs/annotation-guidelines.md)", f"]({GUIDELINES})")


def publish(layout: Layout, out: Path) -> Path:
    """Assemble the Hub folder at out (replacing a previous one); return its path."""
    from belgrade_stance_build.card.render import check_card
    from belgrade_stance_build.publish.croissant import write_croissant

    problems = verify(layout.data, layout.root)
    if problems:
        raise PublishFailed("data/ does not match its manifest (run belgrade-stance build):\n" + "\n".join(problems))
    stale = check_card(layout)
    if stale:
        raise PublishFailed("the card is stale (run belgrade-stance card):\n" + "\n".join(stale))
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()) and not (out / "croissant.json").is_file():
        raise PublishFailed(f"{out}: exists, is not empty and is not a previous publish folder; choose another --out")
    with folder_swap(out, "hub") as tmp:
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
        from belgrade_stance_build.card.figures import FIGURES

        (tmp / "figures").mkdir()
        for name in FIGURES:  # the card's images, at the same relative paths
            shutil.copyfile(layout.figures / f"{name}.png", tmp / "figures" / f"{name}.png")
        (tmp / "README.md").write_text(card_for_hub(layout.card.read_text(encoding="utf-8")), encoding="utf-8")
        write_croissant(tmp)
    return out


def upload(folder: Path, repo_id: str, api=None) -> str:
    """Upload the folder to the dataset repo repo_id with the token in $HF_TOKEN; return the URL.

    The token is read from the environment only, passed to huggingface_hub, never printed or
    written. api: an HfApi-like object (tests pass a stand-in).
    """
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise PublishFailed(f"${TOKEN_VARIABLE} is not set: export a Hugging Face write token as {TOKEN_VARIABLE} "
                            "to upload (nothing was uploaded)")
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()
    from belgrade_stance_schema.inventory import DATASET_VERSION

    api.create_repo(repo_id, repo_type="dataset", exist_ok=True, token=token)
    api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="dataset", token=token,
                      commit_message=f"belgrade-stance {DATASET_VERSION}")
    return f"https://huggingface.co/datasets/{repo_id}"
