"""Pictures of trajectories and of distance matrices, with matplotlib (imported when a
function is called: ``pip install matplotlib``).

- ``plot_trajectories(X, labels=None, ax=None)``: the lines, one colour per label;
- ``plot_matrix(d, ax=None)``: a heatmap of a condensed or square distance matrix;
- ``plot_neighbors(X, query, indices, ax=None)``: a query and its nearest trajectories.

Each returns the matplotlib ``Axes`` it drew on. Points are drawn as (x, y): ``[lon, lat]``
for geographic data, whose axes then get the aspect of a local map (1 / cos(latitude)).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from ._engines import private_arena

# Label of the points DBSCAN and HDBSCAN leave out: drawn grey, under the clusters.
NOISE = -1


def _plt() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("trajarena.plot needs matplotlib (pip install matplotlib)") from None
    return plt


def _axes(ax: Any) -> Any:
    return _plt().subplots()[1] if ax is None else ax


def _geographic_aspect(ax: Any, coords: np.ndarray) -> None:
    """lon/lat degrees look like a map with 1 / cos(latitude); anything else gets equal axes."""
    if not len(coords):
        return
    x, y = coords[:, 0], coords[:, 1]
    if np.all(np.abs(x) <= 180) and np.all(np.abs(y) <= 90):
        ax.set_aspect(1.0 / max(np.cos(np.radians(float(np.mean(y)))), 1e-3))
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
    else:
        ax.set_aspect("equal")


def plot_trajectories(X: Any, labels: Optional[Sequence[Any]] = None, ax: Any = None,
                      linewidth: float = 0.8, alpha: float = 0.7, legend: Optional[bool] = None) -> Any:
    """Draws every trajectory of X (any input of the batch calls) as a line.

    Parameters
    ----------
    X : trajectories
        A list of (n, 2|3) arrays, an Arena, or any container the batch calls accept.
    labels : sequence, optional
        One label per trajectory (cluster numbers, names). Each label gets a colour and one
        ``LineCollection``; ``-1`` (the noise of DBSCAN) is drawn grey, underneath.
    ax : matplotlib Axes, optional
        Where to draw; a new figure's axes by default.
    legend : bool, optional
        Show a legend of the labels (default: when there are at most 12 labels).

    Returns
    -------
    The Axes.
    """
    from matplotlib.collections import LineCollection

    a = private_arena(X, "X")
    ax = _axes(ax)
    segments = [np.asarray(t)[:, :2] for t in a]
    if labels is None:
        ax.add_collection(LineCollection(segments, linewidths=linewidth, alpha=alpha, colors="C0"))
    else:
        lab = np.asarray(labels)
        if lab.shape != (len(a),):
            raise ValueError(f"labels: expected one label per trajectory ({len(a)}), got shape {lab.shape}")
        values = list(dict.fromkeys(lab.tolist()))
        values.sort(key=lambda v: (v != NOISE, str(v)))
        cmap = _plt().get_cmap("tab20" if len(values) > 10 else "tab10")
        colour = 0
        for v in values:
            lines = [segments[i] for i in np.flatnonzero(lab == v)]
            if v == NOISE:
                ax.add_collection(LineCollection(lines, linewidths=linewidth * 0.6, alpha=alpha * 0.4,
                                                 colors="0.65", label="noise", zorder=1))
                continue
            ax.add_collection(LineCollection(lines, linewidths=linewidth, alpha=alpha,
                                             colors=[cmap(colour % cmap.N)], label=str(v), zorder=2))
            colour += 1
        if legend if legend is not None else len(values) <= 12:
            ax.legend(loc="best", fontsize="small")
    _geographic_aspect(ax, a.coords)
    ax.autoscale_view()
    return ax


def _square(d: np.ndarray) -> np.ndarray:
    if d.ndim == 2:
        return d
    if d.ndim != 1:
        raise ValueError(f"d: expected a condensed (1-D) or square (2-D) matrix, got shape {d.shape}")
    n = int(round((1 + np.sqrt(1 + 8 * len(d))) / 2))
    if n * (n - 1) // 2 != len(d):
        raise ValueError(f"d: a condensed matrix has n(n-1)/2 entries; {len(d)} is not such a number")
    sq = np.zeros((n, n), dtype=d.dtype)
    iu = np.triu_indices(n, 1)
    sq[iu] = d
    sq[iu[::-1]] = d
    return sq


def plot_matrix(d: Any, ax: Any = None, cmap: str = "viridis", order: Optional[Sequence[int]] = None,
                colorbar: bool = True) -> Any:
    """A heatmap of a distance matrix: condensed (``pdist``'s) or square (``cdist``'s).

    Parameters
    ----------
    d : array
        The distances.
    order : sequence of int, optional
        Rows and columns in this order (for example a dendrogram's leaves), so that clusters
        show as blocks.
    colorbar : bool
        Add a colour bar.

    Returns
    -------
    The Axes (holding one image).
    """
    m = _square(np.asarray(d))
    if order is not None:
        idx = np.asarray(order)
        m = m[np.ix_(idx, idx)] if m.shape[0] == m.shape[1] else m[idx]
    ax = _axes(ax)
    im = ax.imshow(m, cmap=cmap, interpolation="nearest", aspect="auto")
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label="distance")
    return ax


def plot_neighbors(X: Any, query: Any, indices: Sequence[int], ax: Any = None,
                   distances: Optional[Sequence[float]] = None) -> Any:
    """A query (thick, black) and its neighbours in X (coloured, labelled by rank).

    Parameters
    ----------
    X : trajectories
        The collection searched.
    query : int or (n, 2|3) array
        An index into X, or a trajectory.
    indices : sequence of int
        The neighbours' indices into X (a row of ``knn``'s indices).
    distances : sequence of float, optional
        Their distances, shown in the legend.

    Returns
    -------
    The Axes: one line per neighbour, then the query's.
    """
    a = private_arena(X, "X")
    q = a[int(query)] if isinstance(query, (int, np.integer)) else np.asarray(query)
    ax = _axes(ax)
    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    for rank, i in enumerate(idx):
        t = a[int(i)]
        text = f"#{rank + 1}: {a.ids[int(i)]}"
        if distances is not None:
            text += f" ({float(np.asarray(distances).reshape(-1)[rank]):.4g})"
        ax.plot(t[:, 0], t[:, 1], lw=1.2, alpha=0.8, label=text)
    ax.plot(q[:, 0], q[:, 1], color="black", lw=3.0, label="query", zorder=3)
    ax.plot(q[:1, 0], q[:1, 1], "o", color="black", zorder=3)  # where the query starts
    ax.legend(loc="best", fontsize="small")
    _geographic_aspect(ax, np.concatenate([q[:, :2]] + [a[int(i)][:, :2] for i in idx]))
    return ax


__all__ = ["plot_trajectories", "plot_matrix", "plot_neighbors"]
