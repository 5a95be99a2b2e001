"""The registry of metrics (src/metrics/registry.rs) is the one list: the single-pair functions'
signatures, Metric's keywords, defaults, repr and pickling, the README's table, the traj-dist
table and the triangle-inequality flags all agree with it."""

import inspect
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trajarena as ta
from trajarena import _core
from trajarena._single import METRIC_FUNCTIONS
from trajarena.compat import traj_dist

from strategies import lonlat, trajs

REGISTRY = ta.metric_info()
NAMES = [m["name"] for m in REGISTRY]
ROOT = Path(__file__).resolve().parent.parent


def required(m):
    """Values for a metric's required parameters."""
    return {p["name"]: 1.0 for p in m["params"] if p["required"]}


def test_names_and_aliases():
    assert NAMES == ["dtw", "discrete_frechet", "frechet", "hausdorff", "sspd", "lcss", "edr", "erp",
                     "edwp", "sowd"]
    assert ta.METRICS == tuple(NAMES) == tuple(_core.METRICS)
    for m in REGISTRY:
        for name in (m["name"], m["name"].upper(), *m["aliases"]):
            assert ta.metric_info(name) == m
            assert ta.Metric(name, **required(m)).name == m["name"]
    assert ta.metric_info("discret_frechet")["name"] == "discrete_frechet"
    assert ta.metric_info("sowd_grid")["name"] == "sowd"
    with pytest.raises(ValueError, match='metric: unknown metric "nope"; known metrics: dtw, discrete_frechet'):
        ta.metric_info("nope")
    with pytest.raises(TypeError, match="name: expected a metric name"):
        ta.metric_info(3)
    # Copies: a caller's changes do not reach the registry.
    ta.metric_info("dtw")["params"][0]["default"] = "spherical"
    ta.metric_info()[0]["name"] = "x"
    assert ta.metric_info("dtw")["params"][0]["default"] == "euclidean" and ta.metric_info()[0]["name"] == "dtw"


def test_single_pair_signatures_match_the_registry():
    assert sorted(METRIC_FUNCTIONS.values()) == sorted(NAMES)
    for m in REGISTRY:
        fn = getattr(ta, m["name"])
        assert METRIC_FUNCTIONS[fn] == m["name"]
        sig = list(inspect.signature(fn).parameters.values())
        assert [p.name for p in sig[:2]] == ["a", "b"]
        rest = sig[2:]
        if m["return_path"]:
            assert rest[-1].name == "return_path" and rest[-1].default is False, m["name"]
            rest = rest[:-1]
        # space= is spelled out only where there is a choice; Metric still accepts it.
        want = [p for p in m["params"] if p["name"] != "space" or len(m["spaces"]) > 1]
        assert [p.name for p in rest] == [p["name"] for p in want], m["name"]
        for p, w in zip(rest, want):
            assert p.default == w["default"], (m["name"], p.name)
            assert p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD


def test_unknown_keyword_lists_the_registry_parameters():
    for m in REGISTRY:
        accepted = ", ".join(p["name"] for p in m["params"])
        msg = f'bogus: unknown parameter for metric "{m["name"]}"; it accepts only {accepted}'
        with pytest.raises(TypeError, match=re.escape(msg)):
            ta.Metric(m["name"], bogus=1, **required(m))
        with pytest.raises(TypeError, match=re.escape(msg)):
            ta.pdist([np.zeros((2, 2))] * 2, m["name"], bogus=1, **required(m))


def test_required_parameters_say_so():
    for m in REGISTRY:
        for p in m["params"]:
            if p["required"]:
                assert p["default"] is None
                with pytest.raises(ValueError, match=re.escape(f'{p["name"]}: {m["name"]} requires {p["name"]}= ({p["help"]})')):
                    ta.Metric(m["name"])


def non_default_values(m, p):
    """Valid values of parameter p of metric m other than its default."""
    if p["name"] == "space":
        return list(m["spaces"][1:])
    if p["name"] == "compat":
        return [v["compat"] for v in m["variants"][1:] if m["spaces"][0] in v["spaces"]]
    return {"float": [2.5, 0.0], "int": [3, 5], "bool": [not p["default"]],
            "point": [(1.0, -2.0), (0.0, 0.0, 1.5)]}[p["type"]]


def test_defaults_repr_and_pickling_follow_the_registry():
    for m in REGISTRY:
        base = ta.Metric(m["name"], **required(m))
        assert base.params == required(m)
        assert repr(base) == "Metric(" + ", ".join([repr(m["name"])] + [f"{k}={v!r}" for k, v in required(m).items()]) + ")"
        for p in m["params"]:
            if not p["required"]:
                # The default given explicitly is the same Metric.
                assert ta.Metric(m["name"], **{**required(m), p["name"]: p["default"]}) == base, (m["name"], p["name"])
            for v in non_default_values(m, p):
                metric = ta.Metric(m["name"], **{**required(m), p["name"]: v})
                assert metric.params[p["name"]] == v
                assert metric != base or p["required"]
                assert eval(repr(metric), {"Metric": ta.Metric}) == metric
                back = pickle.loads(pickle.dumps(metric))
                assert back == metric and repr(back) == repr(metric) and hash(back) == hash(metric)


def test_metric_flags_are_the_registry_variants():
    for m in REGISTRY:
        for v in m["variants"]:
            p = {"compat": v["compat"]} if v["compat"] else {}
            metric = ta.Metric(m["name"], space=v["spaces"][0], **p, **required(m))
            assert metric.symmetric is v["symmetric"] and metric.triangle is v["triangle"]


def test_readme_metric_table_names_exactly_the_registry():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Metrics\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)\(", section, flags=re.M)
    assert rows == NAMES


def test_traj_dist_table_comes_from_the_registry():
    # traj-dist 1.15's metric names, each mapped to the metric of the same numbers.
    assert {k: m["name"] for k, (m, v) in traj_dist._METRICS.items()} == {
        "sspd": "sspd", "dtw": "dtw", "lcss": "lcss", "hausdorff": "hausdorff", "frechet": "frechet",
        "discret_frechet": "discrete_frechet", "sowd_grid": "sowd", "erp": "erp", "edr": "edr"}
    X = [np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]]), np.array([[1.0, 1.0], [2.0, 0.5]]),
         np.array([[0.5, 0.0], [2.0, 2.0], [1.0, 3.0], [0.0, 1.0]])]
    for name, metric, p in (("discret_frechet", "discrete_frechet", {}), ("frechet", "frechet", {}),
                            ("edr", "edr", {"eps": 1.0}), ("erp", "erp", {"g": [0.5, 0.5]}),
                            ("dtw", "dtw", {})):
        want = ta.pdist(X, metric, compat="traj-dist", **p)
        np.testing.assert_array_equal(traj_dist.pdist(X, name, **p), want)
    with pytest.raises(ValueError, match="spherical implementation for distance discret_frechet"):
        traj_dist.pdist(X, "discret_frechet", type_d="spherical")


# --- the triangle inequality ---------------------------------------------------------------

# A counter-example for every metric and variant whose flag says the inequality fails:
# (a, b, c, parameters) with d(a, c) > d(a, b) + d(b, c).
HAUSDORFF = ([[0, 0], [5, 0], [10, 0], [10, 10], [0, 10]], [[0, 0], [10, 0], [10, 10], [0, 10]],
             [[0, 0], [0, 10], [10, 10], [10, 0]], {})      # H(A, B) = H(B, C) = 0, H(A, C) = 5
CHAIN = ([[0, 0]], [[0.8, 0]], [[1.6, 0]], {"eps": 1.0})   # a ~ b ~ c within eps, a and c not
REPEATS = ([[0, 0], [0, 0], [0, 0]], [[0, 0]], [[1, 0]], {})  # DTW sums over repeated points
SF = [-122.4, 37.7]
COUNTER = {
    ("dtw", None): REPEATS,
    ("dtw", "traj-dist"): REPEATS,
    ("hausdorff", None): HAUSDORFF,
    ("hausdorff", "traj-dist"): HAUSDORFF,
    ("sspd", None): ([[2, 2], [3, 2]], [[1, 1], [3, 2], [1, 0]], [[2, 0], [0, 1], [3, 0], [1, 1]], {}),
    ("sspd", "traj-dist"): ([[0, 0], [3, 0], [1, 1], [2, 2]], [[1, 3], [2, 1], [1, 0], [2, 2]], [[0, 3], [1, 3]], {}),
    ("lcss", None): CHAIN,
    ("lcss", "traj-dist"): CHAIN,
    ("edr", None): CHAIN,
    ("edr", "traj-dist"): CHAIN,
    ("frechet", "traj-dist"): ([[3, 0], [1, 3], [0, 1]], [[2, 0], [0, 2]], [[1, 1], [3, 0], [1, 0], [1, 3]], {}),
    ("erp", "traj-dist"): ([[0, 1], [3, 1], [2, 3]], [[0, 1], [3, 0]], [[3, 0]], {}),
    ("edwp", None): ([[1, 1], [0, 3], [0, 3]], [[3, 3], [1, 1], [2, 1]], [[3, 1], [2, 3], [0, 0], [3, 0]], {}),
    ("sowd", None): ([[1, 0], [3, 1]], [[3, 1], [1, 2]], [[3, 2], [2, 3], [1, 3], [3, 2]], {"grid": SF}),
    ("sowd", "traj-dist"): ([[0, 2]], [[1, 2], [0, 1], [3, 3]], [[3, 1]], {"grid": SF}),
}


def test_every_metric_without_the_triangle_inequality_has_a_counter_example():
    failing = {(m["name"], v["compat"]) for m in REGISTRY for v in m["variants"] if not v["triangle"]}
    assert failing == set(COUNTER)
    for (name, compat), (a, b, c, p) in COUNTER.items():
        p = dict(p)
        origin = p.pop("grid", None)
        if origin is not None:  # SOWD: [lon, lat] points 0.01 degrees apart near San Francisco
            a, b, c = ([[origin[0] + 0.01 * x, origin[1] + 0.01 * y] for x, y in t] for t in (a, b, c))
        metric = ta.Metric(name, compat=compat, **p) if compat else ta.Metric(name, **p)
        a, b, c = (np.array(t, dtype=float) for t in (a, b, c))
        ab, bc, ac = (_core.distance(metric, x, y) for x, y in ((a, b), (b, c), (a, c)))
        assert ac > ab + bc, (name, compat, ab, bc, ac)
        assert not metric.triangle


TRIANGLE = [(m["name"], v["compat"], s) for m in REGISTRY for v in m["variants"] if v["triangle"]
            for s in v["spaces"]]


@pytest.mark.parametrize("name,compat,space", TRIANGLE)
@settings(max_examples=40, deadline=None)
@given(st.data())
def test_the_triangle_inequality_where_the_registry_says_it_holds(name, compat, space, data):
    metric = ta.Metric(name, space=space, **({"compat": compat} if compat else {}))
    assert metric.triangle
    if space == "spherical":
        a, b, c = (data.draw(lonlat(max_len=12)) for _ in range(3))
    else:
        d = data.draw(st.sampled_from([2, 3]))
        a, b, c = (data.draw(trajs(d, max_len=12)) for _ in range(3))
    ab, bc, ac = (_core.distance(metric, x, y) for x, y in ((a, b), (b, c), (a, c)))
    # Exact in real arithmetic; the computed values may miss by rounding.
    assert ac <= (ab + bc) * (1 + 1e-9) + 1e-300
