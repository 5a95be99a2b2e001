"""Every public call, written as a typed user would write it. `make test` runs mypy --strict
over this file and examples/ (the types of the API), and pytest runs it (its behaviour)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import List

import numpy as np
import numpy.typing as npt

import trajarena as ta
import trajarena.dask
import trajarena.plot

SF: List[npt.NDArray[np.float64]] = ta.datasets.san_francisco()[:30]


def test_single_pairs_are_typed() -> None:
    a, b = SF[0], SF[1]
    d: float = ta.dtw(a, b)
    r: ta.DPResult = ta.dtw(a, b, return_path=True)
    assert r.distance == d and r.matrix.shape == (len(a) + 1, len(b) + 1) and r.path.shape[1] == 2
    values: List[float] = [
        ta.discrete_frechet(a, b), ta.frechet(a, b), ta.hausdorff(a, b), ta.sspd(a, b),
        ta.lcss(a, b, eps=0.001), ta.edr(a, b, eps=0.001), ta.erp(a, b), ta.edwp(a, b), ta.sowd(a, b),
        ta.lcss(a, b, eps=100.0, space="spherical", return_path=True).distance,
    ]
    paths: List[ta.DPResult] = [ta.discrete_frechet(a, b, return_path=True),
                                ta.lcss(a, b, eps=0.001, return_path=True),
                                ta.edr(a, b, eps=0.001, return_path=True),
                                ta.erp(a, b, return_path=True)]
    assert all(np.isfinite(values)) and all(float(p) >= 0 for p in paths)
    m = ta.Metric("lcss", eps=0.001)
    assert m.name == "lcss" and m.params["eps"] == 0.001 and m.symmetric
    assert pickle.loads(pickle.dumps(r)) == r


def test_batches_queries_and_arenas_are_typed(tmp_path: Path) -> None:
    d = ta.pdist(SF, "dtw", n_jobs=2, dtype="float32")
    c = ta.cdist(SF[:3], SF, ta.hausdorff)
    p = ta.paired(SF, [0, 1], [2, 3], "erp")
    k = ta.condensed_index(len(SF), 2, 5)
    i, j = ta.condensed_pair(len(SF), k)
    assert d[k] == np.float32(ta.dtw(SF[2], SF[5])) and (i, j) == (2, 5)
    assert c.shape == (3, 30) and p.shape == (2,)
    on_disk = ta.pdist(SF, "dtw", out=str(tmp_path / "d.npy"))
    assert np.array_equal(np.load(tmp_path / "d.npy"), on_disk)
    dist, idx = ta.knn(SF, 3, "dtw")
    graph = ta.radius_neighbors(SF, 0.01, "dtw")
    assert dist.shape == idx.shape == (30, 3) and graph.shape == (30, 30)
    arena = ta.Arena.pack(SF)
    with ta.Arena.shared(SF) as shared:
        assert np.array_equal(ta.pdist(shared, "dtw"), ta.pdist(arena, "dtw"))
    ids: npt.NDArray[np.int64] = arena.ids
    assert len(arena) == len(ids) == 30 and arena.dim == 2 and arena[0].shape == SF[0].shape
    out = np.empty(len(d))
    ranges = ta.plan_ranges(arena, 4)
    for start, stop in ranges:
        ta.pdist_range(arena, "dtw", start, stop, out)
    block = np.empty((2, 30))
    ta.cdist_block(arena, arena, "dtw", block, rows=(0, 2))
    assert np.array_equal(block, ta.cdist(SF[:2], SF, "dtw")) and len(ta.plan_blocks(arena, arena, 2)) >= 1
    info = ta.build_info()
    entry = ta.metric_info("dtw")
    assert info["simd"] and entry["name"] == "dtw" and len(ta.metric_info()) == len(ta.METRICS)
    lazy = trajarena.dask.pdist(SF, "dtw", chunks=100)
    assert lazy.shape == d.shape
    ax = trajarena.plot.plot_trajectories(SF, labels=[k % 2 for k in range(30)])
    assert ax is not None
    ta.cleanup_stale()
