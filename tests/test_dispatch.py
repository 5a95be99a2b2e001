"""The AVX-512, AVX2 and portable builds of the kernels give identical bits. Each build is
selected with TRAJARENA_SIMD in a fresh interpreter (it is read once per process)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import trajarena as ta

SCRIPT = r"""
import sys, numpy as np, trajarena as ta
rng = np.random.default_rng(3)
E = [rng.normal(size=(k, 2)).cumsum(axis=0) for k in rng.integers(1, 60, 30)]
E3 = [rng.normal(size=(k, 3)).cumsum(axis=0) for k in rng.integers(1, 40, 20)]
S = [ta.datasets.san_francisco()[i] for i in range(0, 400, 20)]
G = [np.column_stack([rng.uniform(-180, 180, k), rng.uniform(-90, 90, k)]) for k in rng.integers(1, 20, 15)]
out = {"simd": np.array(ta.build_info()["simd"])}
for tag, X, sp in (("e", E, {}), ("e3", E3, {}), ("s", S, {"space": "spherical"}), ("g", G, {"space": "spherical"})):
    for m, p in (("dtw", {}), ("dtw", {"window": 4}), ("discrete_frechet", {}), ("lcss", {"eps": 1.0 if not sp else 300.0}),
                 ("edr", {"eps": 0.7 if not sp else 300.0}), ("erp", {}), ("hausdorff", {}), ("sspd", {})):
        out[f"{tag}-{m}-{sorted(p.items())}"] = ta.pdist(X, m, **p, **sp)
    if not sp:
        out[f"{tag}-edwp"] = ta.pdist(X, "edwp")
np.savez(sys.argv[1], **out)
"""


def _run(tmp_path, simd):
    path = tmp_path / f"{simd}.npz"
    env = dict(os.environ)
    env.pop("TRAJARENA_SIMD", None)
    if simd != "default":
        env["TRAJARENA_SIMD"] = simd
    subprocess.run([sys.executable, "-c", SCRIPT, str(path)], env=env, check=True, timeout=300)
    return dict(np.load(path))


def test_every_build_gives_the_same_bits(tmp_path):
    base = _run(tmp_path, "default")
    seen = {str(base.pop("simd"))}
    for simd in ("avx2", "portable"):
        got = _run(tmp_path, simd)
        seen.add(str(got.pop("simd")))
        assert got.keys() == base.keys()
        for k in base:
            assert np.array_equal(got[k], base[k]), (simd, k)
    if len(seen) < 2:
        pytest.skip(f"this CPU offers only the {seen.pop()} build")
