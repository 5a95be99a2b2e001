import json
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"


def unpack(offsets, coords):
    return [coords[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]


@pytest.fixture(scope="session")
def oracle():
    """traj-dist 1.15's own numbers (see data/README.md): (sets, cases, arrays)."""
    z = np.load(DATA / "traj_dist_oracle.npz")
    meta = json.loads((DATA / "traj_dist_oracle.json").read_text())
    sets = {s: unpack(z[f"{s}_offsets"], z[f"{s}_coords"]) for s in ("sf", "rw", "geo")}
    return sets, meta["cases"], z
