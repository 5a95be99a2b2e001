import numpy as np

import trajarena as ta


def test_san_francisco():
    X = ta.datasets.san_francisco()
    assert len(X) == 3950
    assert sum(len(t) for t in X) == 41978
    assert all(t.shape[1] == 2 and 3 <= len(t) <= 66 for t in X)
    lon, lat = np.concatenate(X).T
    assert -123 < lon.min() and lon.max() < -122 and 37 < lat.min() and lat.max() < 38
