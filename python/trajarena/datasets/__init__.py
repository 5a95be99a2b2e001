"""Data sets shipped with trajarena.

``san_francisco()``: 3,950 GPS taxi trajectories in central San Francisco, [longitude, latitude]
in degrees, 3 to 66 points each. From `data/benchmark_trajectories.pkl` of the traj-dist project
(github.com/bguillouet/traj-dist), MIT License, Copyright (c) 2018 Brendan Guillouet; converted
to offsets + coordinates, values unchanged. See data/ATTRIBUTION.md.
"""

from __future__ import annotations

from importlib import resources
from typing import List

import numpy as np

__all__ = ["san_francisco", "san_francisco_packed"]


def san_francisco_packed() -> tuple[np.ndarray, np.ndarray]:
    """The San Francisco trips as packed buffers.

    Returns
    -------
    offsets : ndarray of int64, shape (3951,)
    coords : ndarray of float64, shape (41978, 2)
        Trajectory i is ``coords[offsets[i]:offsets[i+1]]``, ``[lon, lat]`` in degrees.
    """
    with resources.files(__name__).joinpath("data/sf_trajectories.npz").open("rb") as f:
        z = np.load(f)
        return z["offsets"].astype(np.int64), np.ascontiguousarray(z["coords"], dtype=np.float64)


def san_francisco() -> List[np.ndarray]:
    """The 3,950 San Francisco taxi trips.

    Returns
    -------
    list of ndarray
        (n, 2) float64 arrays, ``[lon, lat]`` in degrees, 3 to 66 points each.
    """
    offsets, coords = san_francisco_packed()
    return [coords[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]
