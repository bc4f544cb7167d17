"""The Hugging Face dataset folder (`belgrade-stance publish --out DIR [--repo-id ID]`), and its upload.
DIR receives exactly what is uploaded: README.md (the card), data/'s files, the figures, croissant.json,
the guidelines, LICENSE and LICENSES/, errors.md, the lm-evaluation-harness tasks (lm_eval_tasks/), and
publish-manifest.json (the sha256 of every file publish wrote)."""

from __future__ import annotations

import shutil
from pathlib import Path

from huggingface_hub import HfApi, get_token
from huggingface_hub.utils import HFValidationError, validate_repo_id

from belgrade_stance.errors import DatasetError
from belgrade_stance.llm import TASKS
from belgrade_stance.outputs import check_out, fill
from belgrade_stance.verify import verify
from belgrade_stance_build.card.figures import FIGURES, write_figures
from belgrade_stance_build.card.render import BLOCK, blocks
from belgrade_stance_build.layout import Layout
from belgrade_stance_build.publish.croissant import write_croissant
from belgrade_stance_schema.inventory import DATASET_VERSION, LICENSES

GUIDELINES, ERRORS, PUBLISH_MANIFEST = "annotation-guidelines.md", "errors.md", "publish-manifest.json"


def publish(layout: Layout, out: Path) -> Path:
    """Assemble the Hub folder at out (replacing only an empty folder or a previous publish left
    unchanged); return its path. Every check runs before anything is written."""
    out, url = check_out(out, "publish", layout.data, PUBLISH_MANIFEST), layout.hub_url()
    if problems := "\n".join(verify(layout.data, layout.root)):
        raise DatasetError(
            "publish-data-invalid",
            f"does not match its manifest (run belgrade-stance build):\n{problems}",
            "data",
        )
    card, generated = layout.card.read_text(encoding="utf-8"), blocks(layout)
    stale = [m["name"] for m in BLOCK.finditer(card) if generated.get(m["name"], m["body"]) != m["body"]]
    stale = [f"block {name}" for name in stale] + [layout.rel(p) for p in write_figures(layout, write=False)]
    if stale:
        raise DatasetError(
            "publish-card-stale",
            f"differs from data/ (run belgrade-stance build): {', '.join(stale)}",
            "DATASET_CARD.md",
        )
    data = [p for p in layout.data.rglob("*") if p.suffix in (".parquet", ".json")]  # verified: all listed
    copies = {p.relative_to(layout.data).as_posix(): p for p in data}  # the name in the folder → its source
    copies |= {f"figures/{name}.png": layout.figures / f"{name}.png" for name in FIGURES}
    copies |= {GUIDELINES: layout.guidelines, ERRORS: layout.root / "docs" / ERRORS}
    copies |= {name: layout.root / name for name in ["LICENSE", *(f"LICENSES/{i}.txt" for i in LICENSES)]}
    copies |= {f"{TASKS.name}/{p.name}": p for p in TASKS.iterdir() if p.is_file() and p.suffix != ".pyc"}
    with fill(out, "publish", PUBLISH_MANIFEST) as tmp:
        for name, source in copies.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, tmp / name)
        # links into the checkout point at the folder's files
        card = card.replace("](docs/annotation-guidelines.md)", f"]({GUIDELINES})")
        (tmp / "README.md").write_text(card.replace("](docs/errors.md)", f"]({ERRORS})"), encoding="utf-8")
        write_croissant(tmp, url)
    return out


def check_repo_id(repo_id: str) -> None:
    """A Hub repo id as the Hub accepts it (checked before anything is written or sent)."""
    try:
        validate_repo_id(repo_id)
    except HFValidationError as e:
        reason = str(e).splitlines()[0]
        raise DatasetError("publish-repo-id", f"{repo_id!r} is not a valid Hub repo id: {reason}") from None


def upload(folder: Path, repo_id: str, api=None) -> str:
    """Upload the folder to the dataset repo repo_id; return the URL. The token is huggingface_hub's
    own lookup ($HF_TOKEN, else the login saved by `hf auth login`), never printed or written."""
    if not (token := get_token()):
        raise DatasetError(
            "publish-no-token",
            "no Hugging Face token: set $HF_TOKEN or log in with `hf auth login` to upload "
            "(nothing was uploaded)",
        )
    api = api or HfApi()
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True, token=token)
        message = f"belgrade-stance {DATASET_VERSION}"
        api.upload_folder(
            folder_path=str(folder), repo_id=repo_id, repo_type="dataset", token=token, commit_message=message
        )
    except Exception as e:  # network, HTTP and Hub errors of any kind: one line, the token never shown
        first = (str(e).splitlines() or [""])[0].replace(token, "***")
        raise DatasetError(
            "publish-upload", f"uploading to {repo_id} failed: {type(e).__name__}: {first}"
        ) from None
    return f"https://huggingface.co/datasets/{repo_id}"
