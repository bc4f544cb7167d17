"""Fit and score the reference baselines, writing results/: python scripts/baselines.py --help"""

from belgrade_stance_build.baselines.results import main

raise SystemExit(main())
