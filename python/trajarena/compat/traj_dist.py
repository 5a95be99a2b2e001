"""Drop-in replacement for ``traj_dist.distance`` (traj-dist 1.15).

Same function names, signatures and defaults (pdist's eps=100 and g=origin with a warning,
sowd_grid's ``converted`` defaults), and the same numbers: every call uses the
``compat="traj-dist"`` variant defined in docs/metrics.md. Batches run on all cores through
trajarena. Where traj-dist would crash or return its 9e100 sentinel (one-point trajectories for
sspd, hausdorff and frechet), this module raises ValueError instead.
"""

from __future__ import annotations

import warnings

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


def sspd(traj_1, traj_2, type_d="euclidean"):
    _check_type_d(type_d)
    return _one("sspd", traj_1, traj_2, space=type_d)


def frechet(traj_1, traj_2, type_d="euclidean"):
    _check_type_d(type_d, ("euclidean",))
    return _one("frechet", traj_1, traj_2)


def discret_frechet(traj_1, traj_2, type_d="euclidean"):
    _check_type_d(type_d, ("euclidean",))
    return _one("discrete_frechet", traj_1, traj_2)


def hausdorff(traj_1, traj_2, type_d="euclidean"):
    _check_type_d(type_d)
    return _one("hausdorff", traj_1, traj_2, space=type_d)


def dtw(traj_1, traj_2, type_d="euclidean"):
    _check_type_d(type_d)
    return _one("dtw", traj_1, traj_2, space=type_d)


def lcss(traj_1, traj_2, type_d="euclidean", eps=200):
    _check_type_d(type_d)
    return _one("lcss", traj_1, traj_2, space=type_d, eps=eps)


def edr(traj_1, traj_2, type_d="euclidean", eps=200):
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


def erp(traj_1, traj_2, type_d="euclidean", g=None):
    a, b = _two_d(traj_1, traj_2)
    gap = _gap(g, a.shape[1])
    _check_type_d(type_d)
    return _core.distance(Metric("erp", compat=_TD, space=type_d, g=gap), a, b)


def _cells(x, name):
    arr = np.asarray(x)
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise ValueError(f"{name}: cells must be a (k, 2) integer array")
    return np.ascontiguousarray(arr[:, :2], dtype=np.int64)


def sowd_grid(traj_1, traj_2, type_d="euclidean", converted=None, precision=None):
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


def pdist(traj_list, metric="sspd", type_d="euclidean", converted=None, precision=None,
          eps=None, g=None, verbose=False):
    """Condensed vector of the distances between all pairs of traj_list (traj-dist order)."""
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


def cdist(traj_list_1, traj_list_2, metric="sspd", type_d="euclidean", converted=None,
          precision=None, eps=None, g=None, verbose=False):
    """(len(traj_list_1), len(traj_list_2)) matrix of distances."""
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
