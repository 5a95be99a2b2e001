"""Hypothesis strategies: random trajectories of 1 to 60 points, 2-D and 3-D."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

# Coordinates on a 1e-6 grid in [-100, 100]: realistic magnitudes, no subnormals whose squares
# underflow to zero (that would test the reference's arithmetic, not the metric).
coord = st.integers(-10**8, 10**8).map(lambda k: k / 1e6)


def trajs(dim=None, min_len=1, max_len=60):
    dims = st.sampled_from([2, 3]) if dim is None else st.just(dim)
    return dims.flatmap(lambda d: st.integers(min_len, max_len).flatmap(
        lambda n: arrays(np.float64, (n, d), elements=coord)))


def pair(dim=None, min_len=1, max_len=60):
    """Two trajectories of the same dimension."""
    dims = st.sampled_from([2, 3]) if dim is None else st.just(dim)
    return dims.flatmap(lambda d: st.tuples(trajs(d, min_len, max_len), trajs(d, min_len, max_len)))


def lonlat(min_len=1, max_len=40):
    """[lon, lat] trajectories around San Francisco."""
    lon = st.floats(-122.52, -122.35, allow_nan=False)
    lat = st.floats(37.70, 37.82, allow_nan=False)
    return st.integers(min_len, max_len).flatmap(
        lambda n: st.lists(st.tuples(lon, lat), min_size=n, max_size=n).map(lambda v: np.array(v, dtype=float)))
