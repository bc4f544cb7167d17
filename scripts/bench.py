"""Build time and peak memory on the real corpus and synthetic corpora. Run from the project folder: python scripts/bench.py [--help]"""

if __name__ != "__main__":
    raise ImportError("scripts/bench.py is a command, not a module: import belgrade_stance_build.perf.build_time")

from belgrade_stance_build.perf.build_time import main

raise SystemExit(main())
