"""Standoff records from a sentence-anchored annotation draft: python scripts/anchor_annotations.py --help"""

if __name__ != "__main__":
    raise ImportError("a command, not a module: import belgrade_stance_build.annotation.anchor")

from belgrade_stance_build.annotation.anchor import main

raise SystemExit(main())
