"""Single-pair distances: one call shape for every metric, ``f(a, b, **params)``.

The signatures spell out each metric's parameters for users and their tools; the values go
through the registry of metrics (``Metric``), which checks them and supplies the defaults, and
tests/test_registry.py checks every signature against the registry. The functions also serve as
metrics: ``ta.pdist(X, ta.lcss, eps=50.0)``."""

from __future__ import annotations

from typing import Any, Callable, Literal, Optional, Sequence, TypeVar, Union, overload

from . import _core
from ._core import DPResult
from ._inputs import as_traj, metric_of

# A trajectory: an (n, 2) or (n, 3) array-like of numbers (numpy array of any dtype and layout,
# list of pairs, ...).
ArrayLike = Any
Result = Union[float, DPResult]

F = TypeVar("F", bound=Callable[..., Any])

# Each single-pair function and the registry name of the metric it computes (``metric_of``
# reads it, so that the functions can be passed as the metric of batch calls).
METRIC_FUNCTIONS: dict[Callable[..., Any], str] = {}


def _metric(fn: F) -> F:
    METRIC_FUNCTIONS[fn] = fn.__name__
    return fn


def _pair(name: str, args: dict[str, Any]) -> Any:
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


@overload
def dtw(a: ArrayLike, b: ArrayLike, space: str = ..., window: Optional[int] = ...,
        compat: Optional[str] = ..., return_path: Literal[False] = ...) -> float: ...
@overload
def dtw(a: ArrayLike, b: ArrayLike, space: str = ..., window: Optional[int] = ...,
        compat: Optional[str] = ..., *, return_path: Literal[True]) -> DPResult: ...
@_metric
def dtw(a: ArrayLike, b: ArrayLike, space: str = "euclidean", window: Optional[int] = None,
        compat: Optional[str] = None, return_path: bool = False) -> Result:
    """Dynamic time warping: the sum of ground distances along the best alignment.

    Parameters
    ----------
    a, b : array-like of shape (n, 2) or (n, 3)
        The two trajectories (``[lon, lat]`` degrees when ``space="spherical"``).
    space : {"euclidean", "spherical"}
        The ground distance; spherical distances are haversine metres.
    window : int, optional
        Sakoe-Chiba band half-width, in steps (widened to at least |n - m|).
    compat : {None, "traj-dist"}
        ``"traj-dist"`` reproduces traj-dist 1.15's numbers (its float32 haversine constants).
    return_path : bool
        Return a `DPResult` (distance, cost matrix, alignment) instead of a float.

    Returns
    -------
    float, or DPResult with ``return_path=True``.

    Raises
    ------
    ValueError
        A trajectory that is empty, has NaN/inf coordinates or a wrong shape; a bad parameter.
    """
    return _pair("dtw", locals())


@overload
def discrete_frechet(a: ArrayLike, b: ArrayLike, space: str = ..., compat: Optional[str] = ...,
                     return_path: Literal[False] = ...) -> float: ...
@overload
def discrete_frechet(a: ArrayLike, b: ArrayLike, space: str = ..., compat: Optional[str] = ...,
                     *, return_path: Literal[True]) -> DPResult: ...
@_metric
def discrete_frechet(a: ArrayLike, b: ArrayLike, space: str = "euclidean", compat: Optional[str] = None,
                     return_path: bool = False) -> Result:
    """Discrete Fréchet distance: the bottleneck of the best alignment of the vertices.

    Parameters
    ----------
    a, b : array-like of shape (n, 2) or (n, 3)
        The two trajectories.
    space : {"euclidean", "spherical"}
    compat : {None, "traj-dist"}
    return_path : bool
        Return a `DPResult` instead of a float.

    Returns
    -------
    float, or DPResult with ``return_path=True``.
    """
    return _pair("discrete_frechet", locals())


@_metric
def frechet(a: ArrayLike, b: ArrayLike, compat: Optional[str] = None) -> float:
    """Exact continuous Fréchet distance between the polylines (Euclidean).

    Parameters
    ----------
    a, b : array-like of shape (n, 2) or (n, 3)
    compat : {None, "traj-dist"}
        ``"traj-dist"``: traj-dist's approximation, which can be above or below the exact value.

    Returns
    -------
    float
    """
    return _pair("frechet", locals())


@_metric
def hausdorff(a: ArrayLike, b: ArrayLike, space: str = "euclidean", compat: Optional[str] = None) -> float:
    """Hausdorff distance between each polyline's vertices and the other polyline.

    Parameters
    ----------
    a, b : array-like of shape (n, 2) or (n, 3)
    space : {"euclidean", "spherical"}
    compat : {None, "traj-dist"}

    Returns
    -------
    float
    """
    return _pair("hausdorff", locals())


@_metric
def sspd(a: ArrayLike, b: ArrayLike, space: str = "euclidean", compat: Optional[str] = None) -> float:
    """Symmetrized segment-path distance: the mean distance of each polyline's vertices to the
    other polyline, averaged over both directions.

    Parameters
    ----------
    a, b : array-like of shape (n, 2) or (n, 3)
    space : {"euclidean", "spherical"}
    compat : {None, "traj-dist"}
        In spherical space traj-dist sums the two directions instead.

    Returns
    -------
    float
    """
    return _pair("sspd", locals())


@overload
def lcss(a: ArrayLike, b: ArrayLike, eps: Optional[float] = ..., space: str = ...,
         compat: Optional[str] = ..., return_path: Literal[False] = ...) -> float: ...
@overload
def lcss(a: ArrayLike, b: ArrayLike, eps: Optional[float] = ..., space: str = ...,
         compat: Optional[str] = ..., *, return_path: Literal[True]) -> DPResult: ...
@_metric
def lcss(a: ArrayLike, b: ArrayLike, eps: Optional[float] = None, space: str = "euclidean",
         compat: Optional[str] = None, return_path: bool = False) -> Result:
    """LCSS distance in [0, 1]: 1 - |longest common subsequence within eps| / min(n, m).

    Parameters
    ----------
    a, b : array-like of shape (n, 2) or (n, 3)
    eps : float
        Points match when their distance is below eps (metres in spherical space). Required.
    space : {"euclidean", "spherical"}
    compat : {None, "traj-dist"}
    return_path : bool

    Returns
    -------
    float, or DPResult with ``return_path=True``.
    """
    return _pair("lcss", locals())


@overload
def edr(a: ArrayLike, b: ArrayLike, eps: Optional[float] = ..., space: str = ..., normalize: bool = ...,
        compat: Optional[str] = ..., return_path: Literal[False] = ...) -> float: ...
@overload
def edr(a: ArrayLike, b: ArrayLike, eps: Optional[float] = ..., space: str = ..., normalize: bool = ...,
        compat: Optional[str] = ..., *, return_path: Literal[True]) -> DPResult: ...
@_metric
def edr(a: ArrayLike, b: ArrayLike, eps: Optional[float] = None, space: str = "euclidean",
        normalize: bool = True, compat: Optional[str] = None, return_path: bool = False) -> Result:
    """Edit distance on real sequences.

    Parameters
    ----------
    a, b : array-like of shape (n, 2) or (n, 3)
    eps : float
        Points match when their distance is below eps. Required.
    space : {"euclidean", "spherical"}
    normalize : bool
        Divide the edit count by max(n, m) (the result is then in [0, 1]).
    compat : {None, "traj-dist"}
        traj-dist's variant: zero borders and eps rounded to float32.
    return_path : bool

    Returns
    -------
    float, or DPResult with ``return_path=True``.
    """
    return _pair("edr", locals())


@overload
def erp(a: ArrayLike, b: ArrayLike, g: Optional[Sequence[float]] = ..., space: str = ...,
        compat: Optional[str] = ..., return_path: Literal[False] = ...) -> float: ...
@overload
def erp(a: ArrayLike, b: ArrayLike, g: Optional[Sequence[float]] = ..., space: str = ...,
        compat: Optional[str] = ..., *, return_path: Literal[True]) -> DPResult: ...
@_metric
def erp(a: ArrayLike, b: ArrayLike, g: Optional[Sequence[float]] = None, space: str = "euclidean",
        compat: Optional[str] = None, return_path: bool = False) -> Result:
    """Edit distance with real penalty: a gap costs the distance to the gap point ``g``.

    Parameters
    ----------
    a, b : array-like of shape (n, 2) or (n, 3)
    g : sequence of float, optional
        The gap point (default: the origin).
    space : {"euclidean", "spherical"}
    compat : {None, "traj-dist"}
        traj-dist's variant: every border cell holds the whole gap sum.
    return_path : bool

    Returns
    -------
    float, or DPResult with ``return_path=True``.
    """
    return _pair("erp", locals())


@_metric
def edwp(a: ArrayLike, b: ArrayLike) -> float:
    """Edit distance with projections (Ranu et al. 2015), Euclidean, not normalised.

    Parameters
    ----------
    a, b : array-like of shape (n, 2) or (n, 3)

    Returns
    -------
    float
    """
    return _pair("edwp", locals())


@_metric
def sowd(a: ArrayLike, b: ArrayLike, precision: int = 7, compat: Optional[str] = None) -> float:
    """Symmetrized one-way distance on a geohash grid laid over the pair's bounding box
    (``[lon, lat]`` points), in cell units.

    Parameters
    ----------
    a, b : array-like of shape (n, 2)
    precision : int
        Geohash precision of the grid's cells (each level is 32 times more cells).
    compat : {None, "traj-dist"}

    Returns
    -------
    float
    """
    return _pair("sowd", locals())
