"""trajarena: fast trajectory distances over flat, shareable storage.

Single pairs: ``dtw``, ``discrete_frechet``, ``frechet``, ``hausdorff``, ``sspd``, ``lcss``,
``edr``, ``erp``, ``edwp``, ``sowd``. Many pairs: ``pdist``, ``cdist``, ``paired``. Neighbours
without the full matrix: ``knn``, ``radius_neighbors``. Beyond one machine: ``backend="dask"`` or
``"ray"``, ``out="x.zarr"`` (resumable), and lazy dask arrays in ``trajarena.dask``.
Definitions: docs/metrics.md in the repository.
"""

from ._core import DPResult, Metric
from ._single import (
    discrete_frechet,
    dtw,
    edr,
    edwp,
    erp,
    frechet,
    hausdorff,
    lcss,
    sowd,
    sspd,
)
from ._arena import Arena
from ._batch import cdist, paired, pdist
from ._queries import knn, radius_neighbors
from ._ranges import cdist_block, pdist_range, plan_blocks, plan_ranges
from ._shared_files import cleanup_stale
from ._core import condensed_index, condensed_pair
from ._info import __version__, build_info, metric_info
from . import datasets

from ._core import METRICS as _METRICS

METRICS = tuple(_METRICS)

__all__ = [
    "Arena",
    "build_info",
    "cdist_block",
    "cleanup_stale",
    "pdist_range",
    "plan_blocks",
    "plan_ranges",
    "DPResult",
    "Metric",
    "METRICS",
    "cdist",
    "condensed_index",
    "condensed_pair",
    "datasets",
    "discrete_frechet",
    "dtw",
    "edr",
    "edwp",
    "erp",
    "frechet",
    "hausdorff",
    "knn",
    "lcss",
    "metric_info",
    "paired",
    "pdist",
    "radius_neighbors",
    "sowd",
    "sspd",
]
