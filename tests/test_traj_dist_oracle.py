"""compat="traj-dist" and trajarena.compat.traj_dist reproduce traj-dist 1.15's numbers."""

import warnings

import numpy as np
import pytest

import trajarena as ta
from trajarena.compat import traj_dist as tdist

from conftest import DATA  # noqa: F401

RTOL = 1e-12


def _cases():
    import json

    return json.loads((DATA / "traj_dist_oracle.json").read_text())["cases"]


def _params(c):
    p = dict(c["params"])
    if "g" in p:
        p["g"] = np.array(p["g"])
    return p


def _close(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape
    rel = np.abs(got - want) / np.maximum(np.abs(want), np.finfo(float).tiny)
    assert rel.max() <= RTOL, f"max relative error {rel.max():.3e}"


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["key"])
def test_compat_module_pdist(oracle, case):
    sets, _, z = oracle
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = tdist.pdist(sets[case["set"]], metric=case["metric"], type_d=case["type_d"], **_params(case))
    _close(got, z[case["key"]])


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["key"])
def test_compat_variant_via_trajarena_api(oracle, case):
    """ta.pdist with compat="traj-dist", and the single-pair functions, give the same numbers."""
    sets, _, z = oracle
    p = {k: v for k, v in case["params"].items() if k != "converted"}
    name = {"discret_frechet": "discrete_frechet", "sowd_grid": "sowd"}.get(case["metric"], case["metric"])
    if name not in ("frechet", "sowd", "discrete_frechet"):
        p["space"] = case["type_d"]
    m = ta.Metric(name, compat="traj-dist", **p)
    trajs = sets[case["set"]]
    _close(ta.pdist(trajs, m), z[case["key"]])
    if name == "sowd":
        return  # the grid of a single pair covers only that pair, traj-dist's pdist the whole set
    single = getattr(ta, name)
    want = z[case["key"]]
    for k, (i, j) in enumerate([(0, 1), (2, 7), (len(trajs) - 2, len(trajs) - 1)]):
        idx = ta.condensed_index(len(trajs), i, j)
        _close(single(trajs[i], trajs[j], compat="traj-dist", **p), want[idx])


def test_compat_signatures_and_defaults(oracle):
    sets, _, z = oracle
    rw = sets["rw"]
    a, b = rw[0], rw[1]
    # single-pair functions with traj-dist's defaults: lcss/edr eps=200, type_d euclidean
    assert tdist.lcss(a, b) == ta.lcss(a, b, eps=200)
    assert tdist.edr(a, b) == ta.edr(a, b, eps=200, compat="traj-dist")
    assert tdist.dtw(a, b) == z["rw__dtw__euclidean__"][0]
    assert tdist.frechet(a, b) == z["rw__frechet__euclidean__"][0]
    assert tdist.discret_frechet(a, b) == z["rw__discret_frechet__euclidean__"][0]
    with pytest.warns(UserWarning):
        assert tdist.erp(a, b) == ta.erp(a, b, g=(0.0, 0.0), compat="traj-dist")
    # pdist's eps default of 100 with a warning, g default the origin
    with pytest.warns(UserWarning):
        np.testing.assert_array_equal(tdist.pdist(rw[:6], metric="lcss"), ta.pdist(rw[:6], "lcss", eps=100))
    with pytest.warns(UserWarning):
        np.testing.assert_array_equal(
            tdist.pdist(rw[:6], metric="erp"), ta.pdist(rw[:6], "erp", g=(0, 0), compat="traj-dist"))
    # cdist shape and values agree with pdist
    D = tdist.cdist(rw[:5], rw[:5], metric="sspd")
    assert D.shape == (5, 5)
    np.testing.assert_array_equal(D[np.triu_indices(5, 1)], tdist.pdist(rw[:5], metric="sspd"))


def test_compat_errors_like_traj_dist(oracle):
    sets, _, _ = oracle
    a, b = sets["rw"][0], sets["rw"][1]
    with pytest.raises(ValueError, match="type_d"):
        tdist.dtw(a, b, type_d="manhattan")
    with pytest.raises(ValueError, match="type_d"):
        tdist.frechet(a, b, type_d="spherical")
    with pytest.raises(ValueError, match="metric"):
        tdist.pdist([a, b], metric="nope")
    with pytest.raises(ValueError, match="2D"):
        tdist.dtw(np.c_[a, a[:, :1]], np.c_[b, b[:, :1]])
    # where traj-dist would return its 9e100 sentinel, a clear error instead
    with pytest.raises(ValueError, match="at least 2 points"):
        tdist.hausdorff(a[:1], b)


def test_sowd_converted_cells():
    c1 = np.array([[0, 0], [1, 0], [2, 0], [2, 1]])
    c2 = np.array([[0, 2], [1, 2], [2, 2]])
    from reference import sowd_cells

    assert tdist.sowd_grid(c1, c2, type_d="spherical", converted=True) == pytest.approx(sowd_cells(c1, c2), rel=1e-12)
