"""Standoff records from a sentence-anchored annotation draft: python scripts/anchor_annotations.py --help"""

from belgrade_stance_build.annotation.anchor import main

raise SystemExit(main())
