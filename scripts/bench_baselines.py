"""Time of the TF-IDF and MiniLM baselines under leave-one-document-out. Run from the project folder: python scripts/bench_baselines.py [--help]"""

if __name__ != "__main__":
    raise ImportError("scripts/bench_baselines.py is a command, not a module: import belgrade_stance_build.perf.baseline_time")

from belgrade_stance_build.perf.baseline_time import main

raise SystemExit(main())
