"""backend="ray" on a real local Ray (2 CPUs): results identical to threads, the arena in the
object store once, outputs in place."""

import numpy as np
import pytest
import ray

import trajarena as ta
from trajarena import _tasks

RNG = np.random.default_rng(43)
TRAJS = [RNG.normal(size=(n, 2)).cumsum(axis=0) for n in RNG.integers(1, 40, 60)]
METRICS = [("dtw", {}), ("edr", {"eps": 0.5}), ("discrete_frechet", {}), ("hausdorff", {})]


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.mark.parametrize("name,p", METRICS)
def test_pdist_and_cdist_equal_threads(name, p):
    assert np.array_equal(ta.pdist(TRAJS, name, backend="ray", **p), ta.pdist(TRAJS, name, **p))
    want = ta.cdist(TRAJS[:9], TRAJS, name, **p)
    assert np.array_equal(ta.cdist(TRAJS[:9], TRAJS, name, backend="ray", **p), want)
    assert np.array_equal(ta.cdist(TRAJS, TRAJS, name, backend="ray", **p), ta.cdist(TRAJS, TRAJS, name, **p))


def test_queries_equal_threads():
    d, i = ta.knn(TRAJS, 5, "dtw", backend="ray")
    dw, iw = ta.knn(TRAJS, 5, "dtw")
    assert np.array_equal(d, dw) and np.array_equal(i, iw)
    r = ta.radius_neighbors(TRAJS, 5.0, "erp", queries=TRAJS[:7], backend="ray")
    rw = ta.radius_neighbors(TRAJS, 5.0, "erp", queries=TRAJS[:7])
    for f in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(r, f), getattr(rw, f))


def test_outputs(tmp_path):
    want = ta.pdist(TRAJS, "dtw")
    ta.pdist(TRAJS, "dtw", backend="ray", out=str(tmp_path / "d.npy"))
    assert np.array_equal(np.load(tmp_path / "d.npy"), want)
    z = ta.pdist(TRAJS, "dtw", backend="ray", out=str(tmp_path / "d.zarr"))
    assert np.array_equal(z[:], want)
    seen = []
    ta.cdist(TRAJS, TRAJS[:3], "dtw", backend="ray", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (180, 180)


def test_the_arena_is_mapped_from_the_object_store_without_a_copy():
    arena = ta.Arena.pack(TRAJS)
    ref = ray.put(np.frombuffer(arena.to_bytes(), dtype=np.uint8))

    @ray.remote(num_cpus=1)
    def inside(buf):
        a = _tasks.resolve(buf)
        # read-only and aligned: the arena reads the object store's memory in place
        return not buf.flags.writeable, np.shares_memory(a.coords, buf), float(a.coords.sum())

    ro, shared, total = ray.get(inside.remote(ref))
    assert ro and shared
    assert total == float(arena.coords.sum())
