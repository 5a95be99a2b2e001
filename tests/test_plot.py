"""trajarena.plot with matplotlib's Agg backend: pictures are drawn, with the artists expected."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402

import trajarena as ta  # noqa: E402
from trajarena import plot  # noqa: E402

SF = ta.datasets.san_francisco()[:60]


def rendered(ax):
    fig = ax.figure
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())
    plt.close(fig)
    return img


def test_trajectories_one_collection_per_label():
    labels = np.array([k % 3 for k in range(len(SF))])
    labels[:5] = -1
    ax = plot.plot_trajectories(SF, labels=labels)
    cols = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(cols) == 4  # noise + 3 clusters
    assert sum(len(c.get_segments()) for c in cols) == len(SF)
    assert ax.get_legend() is not None and ax.get_xlabel() == "longitude"
    img = rendered(ax)
    assert img.shape[2] == 4 and len(np.unique(img.reshape(-1, 4), axis=0)) > 10  # not blank
    ax = plot.plot_trajectories(ta.Arena.pack(SF))
    assert len(ax.collections) == 1 and ax.get_legend() is None
    rendered(ax)
    with pytest.raises(ValueError, match="one label per trajectory"):
        plot.plot_trajectories(SF, labels=[0, 1])


def test_matrix_condensed_and_square():
    d = ta.pdist(SF[:20], "dtw")
    ax = plot.plot_matrix(d)
    assert len(ax.images) == 1
    shown = ax.images[0].get_array()
    assert shown.shape == (20, 20) and np.allclose(shown, shown.T) and np.all(np.diag(shown) == 0)
    rendered(ax)
    order = np.arange(20)[::-1]
    ax = plot.plot_matrix(ta.cdist(SF[:20], SF[:20], "dtw"), order=order, colorbar=False)
    assert np.array_equal(ax.images[0].get_array(), ta.cdist(SF[:20], SF[:20], "dtw")[np.ix_(order, order)])
    rendered(ax)
    with pytest.raises(ValueError, match="n\\(n-1\\)/2"):
        plot.plot_matrix(np.zeros(4))


def test_neighbors():
    dist, idx = ta.knn(SF, 4, "dtw")
    ax = plot.plot_neighbors(SF, 7, idx[7], distances=dist[7])
    assert len(ax.lines) == 4 + 2  # the neighbours, the query, its start
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0].startswith(f"#1: {idx[7][0]} (") and texts[-1] == "query"
    rendered(ax)
    ax = plot.plot_neighbors(SF, SF[3], [1, 2])
    assert len(ax.lines) == 4
    rendered(ax)
