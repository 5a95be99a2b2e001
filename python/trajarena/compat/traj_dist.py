"""Drop-in replacement for ``traj_dist.distance`` (traj-dist 1.15).

Same function names, signatures and defaults (pdist's eps=100 and g=origin with a warning,
sowd_grid's ``converted`` defaults), and the same numbers: every call uses the
``compat="traj-dist"`` variant defined in docs/metrics.md. Batches run on all cores through
trajarena. Where traj-dist would crash or return its 9e100 sentinel (one-point trajectories for
sspd, hausdorff and frechet), this module raises ValueError instead.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Optional, Sequence, TypeVar

import numpy as np

from .. import _core
from .._batch import cdist as _cdist
from .._batch import pdist as _pdist
from .._inputs import as_traj
from .._core import Metric
from .._info import metric_info

__all__ = ["pdist", "cdist", "sspd", "sowd_grid", "frechet", "discret_frechet", "hausdorff", "dtw",
           "lcss", "edr", "erp"]

_TD = "traj-dist"

# traj-dist's metric names -> (trajarena's registry entry, its traj-dist variant), from the
# registry: every metric with a traj-dist variant, under the name traj-dist gives it.
_METRICS = {v["name"]: (m, v) for m in metric_info() for v in m["variants"] if v["compat"] == _TD}

# What traj-dist's pdist/cdist use when these parameters are not given, and the warning they give.
_BATCH_DEFAULTS = {
    "eps": (100, "eps parameter should be specified for metric 'lcss' and 'edr', default is 100 "),
    "precision": (7, "precision parameter should be specified for metric sowd_grid if converted "
                     "is False. Default is 7"),
}


F = TypeVar("F", bound=Callable[..., Any])


def _documented(summary: str, params: str = "", unit: str = "") -> Callable[[F], F]:
    """The numpy-style docstring of a single-pair function: one template for all of them."""
    extra = f"\n    {params}" if params else ""

    def attach(fn: F) -> F:
        fn.__doc__ = f"""{summary}

    Parameters
    ----------
    traj_1, traj_2 : array-like of shape (n, 2)
        The trajectories (``[lon, lat]`` degrees when ``type_d="spherical"``).
    type_d : {{"euclidean", "spherical"}}{extra}

    Returns
    -------
    float
        traj-dist 1.15's value (``compat="traj-dist"``){unit}.
    """
        return fn

    return attach


def _check_type_d(type_d, allowed=("spherical", "euclidean")):
    if type_d not in allowed:
        quoted = " or ".join(repr(a) for a in allowed)
        raise ValueError(f"The type_d argument should be {quoted}\ntype_d given is : {type_d}")


def _two_d(traj_1, traj_2):
    a, b = as_traj(traj_1, "traj_1"), as_traj(traj_2, "traj_2")
    if a.shape[1] != 2 or b.shape[1] != 2:
        raise ValueError("Trajectories should be in 2D. t1 is %dD and t2 is %d given" % (a.shape[1], b.shape[1]))
    return a, b


def _one(name, traj_1, traj_2, **params):
    a, b = _two_d(traj_1, traj_2)
    return _core.distance(Metric(name, compat=_TD, **params), a, b)


@_documented("Symmetrized segment-path distance.", unit="; spherical: the two one-way means added, in metres")
def sspd(traj_1: Any, traj_2: Any, type_d: str = "euclidean") -> float:
    _check_type_d(type_d)
    return _one("sspd", traj_1, traj_2, space=type_d)


@_documented("traj-dist's approximation of the continuous Fréchet distance (Euclidean only).")
def frechet(traj_1: Any, traj_2: Any, type_d: str = "euclidean") -> float:
    _check_type_d(type_d, ("euclidean",))
    return _one("frechet", traj_1, traj_2)


@_documented("Discrete Fréchet distance (Euclidean only).")
def discret_frechet(traj_1: Any, traj_2: Any, type_d: str = "euclidean") -> float:
    _check_type_d(type_d, ("euclidean",))
    return _one("discrete_frechet", traj_1, traj_2)


@_documented("Hausdorff distance (vertices to the other polyline).", unit="; spherical distances in metres")
def hausdorff(traj_1: Any, traj_2: Any, type_d: str = "euclidean") -> float:
    _check_type_d(type_d)
    return _one("hausdorff", traj_1, traj_2, space=type_d)


@_documented("Dynamic time warping.", unit="; spherical distances in metres")
def dtw(traj_1: Any, traj_2: Any, type_d: str = "euclidean") -> float:
    _check_type_d(type_d)
    return _one("dtw", traj_1, traj_2, space=type_d)


@_documented("LCSS distance, in [0, 1].",
             params="eps : float\n        The matching threshold (metres in spherical space).")
def lcss(traj_1: Any, traj_2: Any, type_d: str = "euclidean", eps: float = 200) -> float:
    _check_type_d(type_d)
    return _one("lcss", traj_1, traj_2, space=type_d, eps=eps)


@_documented("EDR distance, normalised by the longer trajectory.",
             params="eps : float\n        The matching threshold (float32-rounded, as traj-dist does).")
def edr(traj_1: Any, traj_2: Any, type_d: str = "euclidean", eps: float = 200) -> float:
    _check_type_d(type_d)
    return _one("edr", traj_1, traj_2, space=type_d, eps=eps)


def _gap(g, dim):
    if g is None:
        warnings.warn("g parameter should be specified for metric erp. Default is ")
        return (0.0,) * dim
    g = np.asarray(g, dtype=float)
    if g.shape[0] != dim:
        raise ValueError("g and trajectories in list should have same dimension")
    return tuple(g.tolist())


@_documented("ERP distance with traj-dist's border (every border cell holds the whole gap sum).",
             params="g : sequence of 2 floats, optional\n        The gap point; the origin, with a warning, when not given.",
             unit="; spherical distances in metres")
def erp(traj_1: Any, traj_2: Any, type_d: str = "euclidean", g: Optional[Sequence[float]] = None) -> float:
    a, b = _two_d(traj_1, traj_2)
    gap = _gap(g, a.shape[1])
    _check_type_d(type_d)
    return _core.distance(Metric("erp", compat=_TD, space=type_d, g=gap), a, b)


def _cells(x, name):
    arr = np.asarray(x)
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise ValueError(f"{name}: cells must be a (k, 2) integer array")
    return np.ascontiguousarray(arr[:, :2], dtype=np.int64)


def sowd_grid(traj_1: Any, traj_2: Any, type_d: str = "euclidean", converted: Optional[bool] = None,
              precision: Optional[int] = None) -> float:
    """Symmetrized one-way distance on a geohash grid, as traj-dist's ``sowd_grid``.

    Parameters
    ----------
    traj_1, traj_2 : array-like of shape (n, 2)
        ``[lon, lat]`` points, or grid cells when ``converted`` is true.
    type_d : {"spherical", "euclidean"}
        Euclidean needs ``converted`` cells.
    converted : bool, optional
        Whether the inputs already are (k, 2) integer cells (default True, with a warning).
    precision : int, optional
        Geohash precision when ``converted`` is false (default 7, with a warning).

    Returns
    -------
    float
        In cell units.
    """
    dim_1, dim_2 = np.shape(traj_1)[1], np.shape(traj_2)[1]
    if dim_1 != 2 or dim_2 != 2:
        raise ValueError("Trajectories should be in 2D. t1 is %dD and t2 is %d given" % (dim_1, dim_2))
    _check_type_d(type_d)
    if type_d == "euclidean" and not converted:
        raise Warning("Euclidean implementation for distance sowd_grid is not "
                      "disponible if your data is not already converted in cell format")
    if converted is None:
        warnings.warn("converted parameter should be specified for metric sowd_grid. Default is True")
        converted = True
    if converted:
        return _core.sowd_cells(_cells(traj_1, "traj_1"), _cells(traj_2, "traj_2"), True)
    if precision is None:
        warnings.warn("precision parameter should be specified for metric sowd_grid if converted "
                      "is False. Default is 7")
        precision = 7
    return _one("sowd", traj_1, traj_2, precision=precision)


def _batch_params(metric, type_d, dim, eps, g, precision):
    """The trajarena metric for one of traj-dist's batch calls."""
    entry = _METRICS.get(metric) if isinstance(metric, str) else None
    if entry is None:
        raise ValueError("The metric argument should be 'sspd', 'dtw', 'lcss','erp','edr' 'hausdorff', "
                         "'frechet','discret_frechet' or 'sowd_grid' \nmetric given is : " + str(metric))
    info, variant = entry
    _check_type_d(type_d)
    if type_d == "spherical" and type_d not in variant["spaces"]:
        raise ValueError("spherical implementation for distance " + metric + " is not disponible")
    given = {"eps": eps, "precision": precision}
    params = {}
    for p in info["params"]:
        name = p["name"]
        if name == "compat":
            params[name] = _TD
        elif name == "space":
            if len(variant["spaces"]) > 1:
                params[name] = type_d
        elif name == "g":
            params[name] = _gap(g, dim)
        elif name in given:
            value = given[name]
            if value is None:
                value, message = _BATCH_DEFAULTS[name]
                warnings.warn(message)
            params[name] = value
        # Parameters traj-dist's pdist does not have keep the registry's defaults.
    return Metric(info["name"], **params)


def _dims(trajs):
    dims = {np.shape(t)[1] if np.ndim(t) > 1 else 1 for t in trajs}
    if len(dims) > 1:
        raise ValueError("All trajectories must have same dimesion !")
    return dims.pop() if dims else 2


def _sowd_converted(cells_1, cells_2, symmetric):
    c1 = [_cells(c, f"traj_list[{i}]") for i, c in enumerate(cells_1)]
    c2 = c1 if symmetric else [_cells(c, f"traj_list_2[{i}]") for i, c in enumerate(cells_2)]
    if symmetric:
        n = len(c1)
        return np.array([_core.sowd_cells(c1[i], c1[j], True) for i in range(n) for j in range(i + 1, n)],
                        dtype=float)
    return np.array([[_core.sowd_cells(a, b, True) for b in c2] for a in c1], dtype=float).reshape(len(c1), len(c2))


def pdist(traj_list: Any, metric: str = "sspd", type_d: str = "euclidean", converted: Optional[bool] = None,
          precision: Optional[int] = None, eps: Optional[float] = None, g: Optional[Sequence[float]] = None,
          verbose: bool = False) -> np.ndarray:
    """The distances between all pairs of ``traj_list``, as traj-dist's ``pdist``, on all cores.

    Parameters
    ----------
    traj_list : list of (n, 2) arrays
    metric : str
        traj-dist's name: "sspd", "dtw", "lcss", "hausdorff", "frechet", "discret_frechet",
        "sowd_grid", "erp", "edr".
    type_d : {"euclidean", "spherical"}
    converted, precision
        For "sowd_grid", as in `sowd_grid`.
    eps : float, optional
        For "lcss" and "edr" (default 100, with a warning, as traj-dist).
    g : sequence of 2 floats, optional
        For "erp" (default the origin, with a warning).
    verbose : bool
        Accepted for traj-dist's signature; nothing is printed.

    Returns
    -------
    ndarray
        The condensed vector, in traj-dist's (and scipy's) order.
    """
    dim = _dims(traj_list)
    if type_d == "euclidean" and metric in ("sowd", "sowd_grid") and not converted:
        raise ValueError("Euclidean implementation for distance " + metric +
                         " is not disponible if your data is not already converted in cell format")
    if metric == "sowd_grid":
        if converted is None:
            warnings.warn("converted parameter should be specified for metric sowd_grid. Default is False")
            converted = False
        if converted:
            return _sowd_converted(traj_list, None, True)
    m = _batch_params(metric, type_d, dim, eps, g, precision)
    if verbose:
        print("Computing " + type_d + " distance " + metric + " for %d trajectories" % len(traj_list))
    return _pdist(list(traj_list), m)


def cdist(traj_list_1: Any, traj_list_2: Any, metric: str = "sspd", type_d: str = "euclidean",
          converted: Optional[bool] = None, precision: Optional[int] = None, eps: Optional[float] = None,
          g: Optional[Sequence[float]] = None, verbose: bool = False) -> np.ndarray:
    """The distances between every trajectory of ``traj_list_1`` and of ``traj_list_2``, as
    traj-dist's ``cdist``, on all cores.

    Parameters
    ----------
    traj_list_1, traj_list_2 : lists of (n, 2) arrays
    metric, type_d, converted, precision, eps, g, verbose
        As for `pdist`.

    Returns
    -------
    ndarray of shape (len(traj_list_1), len(traj_list_2))
    """
    dim = _dims(list(traj_list_1) + list(traj_list_2))
    if metric == "sowd_grid":
        if converted is None:
            warnings.warn("converted parameter should be specified for metric sowd_grid. Default is True")
            converted = True
        if converted:
            return _sowd_converted(traj_list_1, traj_list_2, False)
    m = _batch_params(metric, type_d, dim, eps, g, precision)
    if verbose:
        print("Computing " + type_d + " distance " + metric + " for %d and %d trajectories"
              % (len(traj_list_1), len(traj_list_2)))
    return _cdist(list(traj_list_1), list(traj_list_2), m)
