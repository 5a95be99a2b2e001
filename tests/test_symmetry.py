"""Every metric, space and variant the registry flags symmetric gives d(a, b) == d(b, a) bit for
bit, through the single-pair functions and through `paired`: batch calls may compute a
symmetric pair once."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trajarena as ta

from strategies import lonlat, trajs

CASES = [(m, v, space) for m in ta.metric_info() for v in m["variants"] for space in v["spaces"]]


def bits(x):
    return np.float64(x).view(np.int64)


def params(m, v, space, dim, data):
    """Values for every parameter of the metric: drawn where the parameter is free."""
    p = {}
    for q in m["params"]:
        name = q["name"]
        if name == "compat":
            value = v["compat"]
        elif name == "space":
            value = space if len(m["spaces"]) > 1 else None
        elif q["type"] == "float":
            value = data.draw(st.floats(0, 400 if space == "spherical" else 40), label=name)
        elif q["type"] == "bool":
            value = data.draw(st.booleans(), label=name)
        elif name == "precision":  # geohash cells of at least 38 m x 19 m over the data's boxes
            value = data.draw(st.integers(1, 8), label=name)
        elif q["type"] == "int":
            value = data.draw(st.none() | st.integers(0, 20), label=name)
        elif q["type"] == "point":
            point = st.tuples(*[st.floats(-50, 50)] * dim)
            value = data.draw(st.none() | point, label=name)
        else:
            raise AssertionError(f"no values for {name}: add them here")
        if value is not None:
            p[name] = value
    return p


@pytest.mark.parametrize("m,v,space", CASES,
                         ids=[f"{m['name']}-{v['compat'] or 'standard'}-{s}" for m, v, s in CASES])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_symmetric_bit_for_bit(m, v, space, data):
    assert v["symmetric"], "a metric flagged asymmetric needs its own test of what it computes"
    # traj-dist's variants need at least 2 points where traj-dist fails on one.
    min_len = 2 if v["compat"] else 1
    if space == "spherical":
        a, b = (data.draw(lonlat(min_len, 25)) for _ in range(2))
    else:
        dim = 2 if v["compat"] else data.draw(st.sampled_from([2, 3]))
        a, b = (data.draw(trajs(dim, min_len, 25)) for _ in range(2))
        # Pairs at the ends of the double range take the scaled path.
        scale = data.draw(st.sampled_from([1.0, 1.0, 2.0 ** 600, 2.0 ** -600]))
        a, b = a * scale, b * scale
    p = params(m, v, space, a.shape[1], data)
    fn = getattr(ta, m["name"])
    ab, ba = fn(a, b, **p), fn(b, a, **p)
    assert bits(ab) == bits(ba), (ab, ba)
    # paired: the same pairs both ways in one call, with the metric by name and as the function.
    X = [a, b]
    for metric in (m["name"], fn):
        d = ta.paired(X, [0, 1, 0], [1, 0, 0], metric, **p)
        assert bits(d[0]) == bits(d[1]) == bits(ab), (d, ab)
        assert bits(d[2]) == bits(fn(a, a, **p))
