"""belgrade-stance: English news sentences about Russian anti-war emigrants in Serbia,
annotated for stance towards six targets (with holders) and named entities."""

from importlib import metadata as _metadata  # not `version`: the package's own is __version__

try:
    __version__ = _metadata.version("belgrade-stance")
except _metadata.PackageNotFoundError:  # running from a checkout without installation
    __version__ = "0+unknown"

from belgrade_stance.errors import DatasetError, LoadError  # noqa: E402
from belgrade_stance.load import configs, features, inventories, label_names, load, manifest, splits  # noqa: E402
from belgrade_stance.scoring import (  # noqa: E402
    PredictionError,
    compare,
    evaluate,
    evaluate_cv,
    evaluate_holders,
    folds,
    format_comparison,
    format_holders,
    format_report,
)
from belgrade_stance.verify import verify  # noqa: E402

__all__ = [
    "__version__",
    "DatasetError",
    "LoadError",
    "PredictionError",
    "compare",
    "configs",
    "evaluate",
    "evaluate_holders",
    "label_names",
    "evaluate_cv",
    "features",
    "folds",
    "format_comparison",
    "format_holders",
    "format_report",
    "inventories",
    "load",
    "manifest",
    "splits",
    "verify",
]
