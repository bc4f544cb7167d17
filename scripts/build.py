"""Thin wrapper: `python scripts/build.py` == `belgrade-stance build`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from belgrade_stance.cli import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(["build", "--root", str(Path(__file__).resolve().parents[1]), *sys.argv[1:]]))
