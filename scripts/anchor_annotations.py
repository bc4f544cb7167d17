"""Turn a sentence-anchored annotation draft into standoff records. Run from the project folder: python scripts/anchor_annotations.py [--help]"""

if __name__ != "__main__":
    raise ImportError("scripts/anchor_annotations.py is a command, not a module: import belgrade_stance_build.annotation.anchor")

from belgrade_stance_build.annotation.anchor import main

raise SystemExit(main())
