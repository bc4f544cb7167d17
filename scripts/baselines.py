"""Fit and score the reference baselines, writing results/: python scripts/baselines.py --help"""

if __name__ != "__main__":
    raise ImportError("a command, not a module: import belgrade_stance_build.baselines.results")

from belgrade_stance_build.baselines.results import main

raise SystemExit(main())
