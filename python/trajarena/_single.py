"""Single-pair distances: one call shape for every metric, ``f(a, b, **params)``."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from . import _core
from ._inputs import as_traj, metric_of

ArrayLike = Any
Result = Union[float, _core.DPResult]


def _pair(name: str, a: ArrayLike, b: ArrayLike, return_path: bool = False, **params: Any) -> Result:
    m = metric_of(name, {k: v for k, v in params.items() if v is not None})
    ta, tb = as_traj(a, "a"), as_traj(b, "b")
    if return_path:
        return _core.dp_details(m, ta, tb)
    return _core.distance(m, ta, tb)


def dtw(a, b, space: str = "euclidean", window: Optional[int] = None, compat: Optional[str] = None,
        return_path: bool = False) -> Result:
    """Dynamic time warping: sum of ground distances along the best alignment.
    ``window``: Sakoe-Chiba band half-width (widened to at least |n - m|)."""
    return _pair("dtw", a, b, return_path, space=space, window=window, compat=compat)


def discrete_frechet(a, b, space: str = "euclidean", compat: Optional[str] = None,
                     return_path: bool = False) -> Result:
    """Discrete Fréchet distance (bottleneck alignment of the vertices)."""
    return _pair("discrete_frechet", a, b, return_path, space=space, compat=compat)


def frechet(a, b, compat: Optional[str] = None) -> float:
    """Exact continuous Fréchet distance (Euclidean). ``compat="traj-dist"``: traj-dist's
    approximation, which can overestimate."""
    return _pair("frechet", a, b, compat=compat)


def hausdorff(a, b, space: str = "euclidean", compat: Optional[str] = None) -> float:
    """Hausdorff distance between the polylines' vertices and the other polyline."""
    return _pair("hausdorff", a, b, space=space, compat=compat)


def sspd(a, b, space: str = "euclidean", compat: Optional[str] = None) -> float:
    """Symmetrized segment-path distance."""
    return _pair("sspd", a, b, space=space, compat=compat)


def lcss(a, b, eps: float = None, space: str = "euclidean", compat: Optional[str] = None,
         return_path: bool = False) -> Result:
    """LCSS distance in [0, 1]: 1 - |longest common subsequence within eps| / min(n, m)."""
    return _pair("lcss", a, b, return_path, eps=eps, space=space, compat=compat)


def edr(a, b, eps: float = None, space: str = "euclidean", normalize: bool = True,
        compat: Optional[str] = None, return_path: bool = False) -> Result:
    """Edit distance on real sequences; divided by max(n, m) unless ``normalize=False``."""
    return _pair("edr", a, b, return_path, eps=eps, space=space, normalize=normalize, compat=compat)


def erp(a, b, g: Optional[Sequence[float]] = None, space: str = "euclidean",
        compat: Optional[str] = None, return_path: bool = False) -> Result:
    """Edit distance with real penalty; gaps cost the distance to ``g`` (default: the origin)."""
    return _pair("erp", a, b, return_path, g=g, space=space, compat=compat)


def edwp(a, b) -> float:
    """Edit distance with projections (Ranu et al. 2015), Euclidean, not normalised."""
    return _pair("edwp", a, b)


def sowd(a, b, precision: int = 7, compat: Optional[str] = None) -> float:
    """Symmetrized one-way distance on a geohash grid of the given precision laid over the
    pair's bounding box ([lon, lat] points), in cell units."""
    return _pair("sowd", a, b, precision=precision, compat=compat)
