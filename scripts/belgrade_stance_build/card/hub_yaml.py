"""Stage: hub YAML — the card's front-matter keys that the Hub and `datasets` read.

`configs` (data files of every config and split, `stance` the default), `dataset_info` (every
feature with ClassLabel names, split sizes) and `size_categories`, generated from the built
files and schema/features.py, so that the card always declares what data/ holds.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import yaml

from belgrade_stance.paths import split_file
from belgrade_stance_schema.features import features
from belgrade_stance_schema.inventory import CONFIGS, DEFAULT_CONFIG, SPLITS

SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))


def size_category(n: int) -> str:
    """The Hub's size category of a row count."""
    return next((name for limit, name in SIZE_CATEGORIES if n < limit), "n>1M")


def hub_metadata(data: Path) -> dict:
    """configs, dataset_info and size_categories as YAML-ready Python values."""
    from datasets import DatasetInfo, SplitDict, SplitInfo

    configs, infos = [], []
    for config in CONFIGS:
        entry = {"config_name": config}
        if config == DEFAULT_CONFIG:
            entry["default"] = True
        entry["data_files"] = [{"split": s, "path": f"{config}/{s}.parquet"} for s in SPLITS]
        configs.append(entry)
        splits = SplitDict()
        download = 0
        for s in SPLITS:
            path = split_file(data, config, s)
            parquet = pq.ParquetFile(path)  # Arrow size summed row group by row group: one in memory at a time
            nbytes = sum(parquet.read_row_group(i).nbytes for i in range(parquet.num_row_groups))
            splits.add(SplitInfo(name=s, num_bytes=nbytes, num_examples=parquet.metadata.num_rows))
            download += path.stat().st_size
        info = DatasetInfo(features=features(config), splits=splits, config_name=config,
                           download_size=download, dataset_size=sum(x.num_bytes for x in splits.values()))
        infos.append(info._to_yaml_dict())
    stance_rows = sum(pq.read_metadata(split_file(data, DEFAULT_CONFIG, s)).num_rows for s in SPLITS)
    return {"size_categories": [size_category(stance_rows)], "configs": configs, "dataset_info": infos}


def hub_yaml(data: Path) -> str:
    return yaml.safe_dump(hub_metadata(data), sort_keys=False, allow_unicode=True, width=1000)
