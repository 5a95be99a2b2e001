"""Single-pair distances: one call shape for every metric, ``f(a, b, **params)``.

The signatures spell out each metric's parameters for users and their tools; the values go
through the registry of metrics (``Metric``), which checks them and supplies the defaults, and
tests/test_registry.py checks every signature against the registry. The functions also serve as
metrics: ``ta.pdist(X, ta.lcss, eps=50.0)``."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, TypeVar, Union

from . import _core
from ._inputs import as_traj, metric_of

ArrayLike = Any
Result = Union[float, _core.DPResult]

F = TypeVar("F", bound=Callable[..., Any])

# Each single-pair function and the registry name of the metric it computes (``metric_of``
# reads it, so that the functions can be passed as the metric of batch calls).
METRIC_FUNCTIONS: dict[Callable[..., Any], str] = {}


def _metric(fn: F) -> F:
    METRIC_FUNCTIONS[fn] = fn.__name__
    return fn


def _pair(name: str, args: dict[str, Any]) -> Result:
    """The distance of ``args["a"]`` and ``args["b"]`` under the metric ``name`` with the other
    arguments as its parameters: a function's ``locals()``, so the signature alone names them."""
    a, b = args.pop("a"), args.pop("b")
    return_path = args.pop("return_path", False)
    # None is every parameter's "not given": the registry's default applies.
    m = metric_of(name, {k: v for k, v in args.items() if v is not None})
    ta, tb = as_traj(a, "a"), as_traj(b, "b")
    if return_path:
        return _core.dp_details(m, ta, tb)
    return _core.distance(m, ta, tb)


@_metric
def dtw(a, b, space: str = "euclidean", window: Optional[int] = None, compat: Optional[str] = None,
        return_path: bool = False) -> Result:
    """Dynamic time warping: sum of ground distances along the best alignment.
    ``window``: Sakoe-Chiba band half-width (widened to at least |n - m|)."""
    return _pair("dtw", locals())


@_metric
def discrete_frechet(a, b, space: str = "euclidean", compat: Optional[str] = None,
                     return_path: bool = False) -> Result:
    """Discrete Fréchet distance (bottleneck alignment of the vertices)."""
    return _pair("discrete_frechet", locals())


@_metric
def frechet(a, b, compat: Optional[str] = None) -> float:
    """Exact continuous Fréchet distance (Euclidean). ``compat="traj-dist"``: traj-dist's
    approximation, which can overestimate."""
    return _pair("frechet", locals())


@_metric
def hausdorff(a, b, space: str = "euclidean", compat: Optional[str] = None) -> float:
    """Hausdorff distance between the polylines' vertices and the other polyline."""
    return _pair("hausdorff", locals())


@_metric
def sspd(a, b, space: str = "euclidean", compat: Optional[str] = None) -> float:
    """Symmetrized segment-path distance."""
    return _pair("sspd", locals())


@_metric
def lcss(a, b, eps: Optional[float] = None, space: str = "euclidean", compat: Optional[str] = None,
         return_path: bool = False) -> Result:
    """LCSS distance in [0, 1]: 1 - |longest common subsequence within eps| / min(n, m)."""
    return _pair("lcss", locals())


@_metric
def edr(a, b, eps: Optional[float] = None, space: str = "euclidean", normalize: bool = True,
        compat: Optional[str] = None, return_path: bool = False) -> Result:
    """Edit distance on real sequences; divided by max(n, m) unless ``normalize=False``."""
    return _pair("edr", locals())


@_metric
def erp(a, b, g: Optional[Sequence[float]] = None, space: str = "euclidean",
        compat: Optional[str] = None, return_path: bool = False) -> Result:
    """Edit distance with real penalty; gaps cost the distance to ``g`` (default: the origin)."""
    return _pair("erp", locals())


@_metric
def edwp(a, b) -> float:
    """Edit distance with projections (Ranu et al. 2015), Euclidean, not normalised."""
    return _pair("edwp", locals())


@_metric
def sowd(a, b, precision: int = 7, compat: Optional[str] = None) -> float:
    """Symmetrized one-way distance on a geohash grid of the given precision laid over the
    pair's bounding box ([lon, lat] points), in cell units."""
    return _pair("sowd", locals())
