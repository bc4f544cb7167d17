"""Time of belgrade_stance.load() against pandas.read_parquet, and of load_dataset. Run from the project folder: python scripts/bench_load.py [--help]"""

if __name__ != "__main__":
    raise ImportError("scripts/bench_load.py is a command, not a module: import belgrade_stance_build.perf.load_time")

from belgrade_stance_build.perf.load_time import main

raise SystemExit(main())
