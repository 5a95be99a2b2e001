"""The data people have, as packed buffers (offsets, coords) plus trajectory ids, without a
Python loop per trajectory: GeoPandas LineStrings, long tables of points (pandas, polars),
MovingPandas collections, Arrow and GeoArrow arrays, polars Series.

Each function returns (offsets int64 (n + 1,), coords float64 (n_points, d), ids (n,)); the
Arena constructors check the values (NaN, inf, empty trajectories) as for any other input.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

Packed = Tuple[np.ndarray, np.ndarray, np.ndarray]


def _module(x: Any) -> str:
    return type(x).__module__.split(".")[0]


def kind(X: Any) -> Optional[str]:
    """Which of the known containers X is ("geopandas", "frame", "movingpandas", "arrow",
    "polars-series", "shapely"), or None."""
    mod = _module(X)
    if mod == "geopandas":
        return "geopandas"
    if mod == "movingpandas":
        return "movingpandas"
    if mod == "pyarrow" or (mod == "geoarrow"):
        return "arrow"
    if mod == "polars":
        return "polars-series" if type(X).__name__ == "Series" else "frame"
    if mod == "pandas" and type(X).__name__ == "DataFrame":
        return "frame"
    if isinstance(X, (list, tuple)) and X and _module(X[0]) == "shapely":
        return "shapely"
    if isinstance(X, np.ndarray) and X.dtype == object and X.size and _module(X.flat[0]) == "shapely":
        return "shapely"
    return None


# ---------------------------------------------------------------- shapely / GeoPandas
def _geometry_names(geoms: np.ndarray, types: np.ndarray) -> str:
    """The geometry types present, as shapely names them ("LineString, Point")."""
    firsts = [int(np.flatnonzero(types == t)[0]) for t in np.unique(types)]
    return ", ".join(sorted(geoms[i].geom_type for i in firsts))


def from_geometries(geoms: np.ndarray, ids: np.ndarray, name: str) -> Packed:
    """LineStrings (a numpy object array of shapely geometries) packed in one pass."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(geoms)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise ValueError(f"{name}[{i}]: geometry is missing (None)")
    types = shapely.get_type_id(geoms)
    line = int(shapely.GeometryType.LINESTRING)
    bad = types != line
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise TypeError(f"{name}[{i}]: a {geoms[i].geom_type} geometry; "
                        f"only LineStrings are trajectories (this input holds {_geometry_names(geoms, types)}). "
                        f"Explode MultiLineStrings first (GeoDataFrame.explode()), or build lines from "
                        f"points with Arena.from_frame")
    empty = shapely.is_empty(geoms)
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise ValueError(f"{name}[{i}]: trajectory is empty (0 points)")
    has_z = shapely.has_z(geoms)
    if has_z.any() and not has_z.all():
        i = int(np.flatnonzero(has_z != has_z[0])[0])
        raise ValueError(f"{name}[{i}]: has {3 if has_z[i] else 2}-D points but {name}[0] has "
                         f"{3 if has_z[0] else 2}-D points")
    coords, index = shapely.get_coordinates(geoms, include_z=bool(has_z.any()), return_index=True)
    counts = np.bincount(index, minlength=len(geoms))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return offsets, np.ascontiguousarray(coords, dtype=np.float64), ids


def from_geopandas(gdf: Any, name: str = "gdf") -> Packed:
    geo = getattr(gdf, "geometry", None)
    if geo is None:
        raise TypeError(f"{name}: expected a GeoDataFrame or GeoSeries, got {type(gdf).__name__}")
    return from_geometries(geo.to_numpy(), gdf.index.to_numpy(), name)


# ---------------------------------------------------------------- long tables
def _column(df: Any, col: str, name: str) -> np.ndarray:
    try:
        values = df[col]
    except Exception:  # pandas raises KeyError, polars ColumnNotFoundError
        cols = list(df.columns)
        raise ValueError(f"{name}: no column {col!r} (the columns are {cols})") from None
    return values.to_numpy()


def from_frame(df: Any, by: str, x: str, y: str, z: Optional[str], order_by: Optional[str],
               name: str = "df") -> Packed:
    """A long table, one row per point: trajectories in ascending order of `by`, points in
    order of `order_by`, else in row order."""
    keys = _column(df, by, name)
    missing = np.flatnonzero(_nulls(keys))
    if len(missing):
        raise ValueError(f"{name}: column {by!r} is missing a value at row {int(missing[0])}")
    cols = [_column(df, c, name) for c in (x, y) + ((z,) if z is not None else ())]
    # Two stable sorts, not lexsort: they take any sortable column (strings as objects,
    # datetimes).
    order = np.arange(len(keys))
    if order_by is not None:
        order = np.argsort(_column(df, order_by, name), kind="stable")
    order = order[np.argsort(keys[order], kind="stable")]
    keys = keys[order]
    ids, starts, counts = np.unique(keys, return_index=True, return_counts=True)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    coords = np.empty((len(keys), len(cols)), dtype=np.float64)
    for k, (c, v) in enumerate(zip((x, y, z), cols)):
        try:
            coords[:, k] = np.asarray(v, dtype=np.float64)[order]
        except (TypeError, ValueError):
            raise TypeError(f"{name}: column {c!r} holds {np.asarray(v).dtype} values, not numbers") from None
    bad = ~np.isfinite(coords).all(axis=1)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        t = int(np.searchsorted(offsets, row, side="right") - 1)
        raise ValueError(f"{name}: trajectory {ids[t]!r} ({by} = {ids[t]!r}), point {row - offsets[t]}: "
                         f"a coordinate is missing or not finite")
    return offsets, coords, ids


def _nulls(v: np.ndarray) -> np.ndarray:
    """Missing ids: NaN, or None in an object column (compared elementwise, in numpy's loop)."""
    if v.dtype.kind == "f":
        return np.isnan(v)
    if v.dtype == object:
        return np.asarray((v == None) | (v != v), dtype=bool)  # noqa: E711 - elementwise
    return np.zeros(len(v), dtype=bool)


# ---------------------------------------------------------------- MovingPandas
def from_movingpandas(collection: Any, name: str = "collection") -> Packed:
    if type(collection).__name__ == "Trajectory":
        raise TypeError(f"{name}: one movingpandas.Trajectory; pass a TrajectoryCollection "
                        f"(movingpandas.TrajectoryCollection([traj])) or traj.df to Arena.from_geopandas")
    if not hasattr(collection, "to_point_gdf") or not hasattr(collection, "trajectories"):
        raise TypeError(f"{name}: expected a movingpandas.TrajectoryCollection, got {type(collection).__name__}")
    import shapely

    trajs = collection.trajectories
    ids = np.array([t.id for t in trajs], dtype=object)
    if not len(trajs):
        return np.zeros(1, dtype=np.int64), np.empty((0, 2)), ids
    # One pass over all points: to_point_gdf stacks the trajectories in the collection's
    # order, each in time order; only the lengths are read per trajectory.
    lengths = np.array([len(t.df) for t in trajs], dtype=np.int64)
    geoms = collection.to_point_gdf().geometry.to_numpy()
    coords = shapely.get_coordinates(geoms, include_z=bool(shapely.has_z(geoms).any()))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    if offsets[-1] != len(coords):
        raise ValueError(f"{name}: its trajectories hold {offsets[-1]} points but its point table "
                         f"{len(coords)}")
    return offsets, np.ascontiguousarray(coords, dtype=np.float64), ids


# ---------------------------------------------------------------- Arrow, GeoArrow, polars
def from_arrow(array: Any, name: str = "array") -> Packed:
    """(Large)List of points: FixedSizeList<float, 2|3> (Arrow, GeoArrow interleaved), a
    Struct<x, y[, z]> (GeoArrow separated) or a List<float> of 2 or 3 values per point (a
    polars List(List(Float64)) Series); a polars Series, a GeoArrow extension array or a
    one-chunk ChunkedArray of those."""
    import pyarrow as pa

    if _module(array) == "polars":
        array = array.to_arrow()
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    if isinstance(array, pa.ExtensionArray):
        ext = getattr(array.type, "extension_name", "")
        if ext.startswith("geoarrow.") and ext != "geoarrow.linestring":
            raise TypeError(f"{name}: a {ext} array; only LineStrings are trajectories "
                            f"(for WKB or mixed geometries use Arena.from_geopandas)")
        array = array.storage
    if not isinstance(array, (pa.ListArray, pa.LargeListArray)):
        raise TypeError(f"{name}: expected a (Large)List array of points, got {type(array).__name__} "
                        f"of type {getattr(array, 'type', '?')}")
    if array.null_count:
        first = int(np.flatnonzero(array.is_null().to_numpy(zero_copy_only=False))[0])
        raise ValueError(f"{name}[{first}]: trajectory is null")
    offsets = array.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
    start, stop = int(offsets[0]), int(offsets[-1])
    points = array.values.slice(start, stop - start)
    if points.null_count:
        raise ValueError(f"{name}: a point is null")
    coords = _points(points, name)
    return offsets - start, coords, np.arange(len(offsets) - 1)


def _floats(values: Any, name: str) -> np.ndarray:
    import pyarrow as pa

    if values.null_count:
        raise ValueError(f"{name}: a coordinate is null")
    if not (pa.types.is_floating(values.type) or pa.types.is_integer(values.type)):
        raise TypeError(f"{name}: coordinates must be numbers, got {values.type}")
    if pa.types.is_float64(values.type):
        return values.to_numpy(zero_copy_only=True)
    return values.to_numpy(zero_copy_only=False).astype(np.float64)


def _points(points: Any, name: str) -> np.ndarray:
    import pyarrow as pa

    t = points.type
    if pa.types.is_fixed_size_list(t):
        if t.list_size not in (2, 3):
            raise TypeError(f"{name}: points must have 2 or 3 coordinates, got {t.list_size}")
        return _floats(points.flatten(), name).reshape(-1, t.list_size)
    if pa.types.is_struct(t):
        fields = [t.field(i).name for i in range(t.num_fields)]
        if fields not in (["x", "y"], ["x", "y", "z"]):
            raise TypeError(f"{name}: struct points must have fields x, y[, z], got {fields}")
        # flatten() applies the array's own offset (a slice) to its children
        return np.column_stack([_floats(c, name) for c in points.flatten()]).astype(np.float64)
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        sizes = np.diff(points.offsets.to_numpy(zero_copy_only=False))
        if len(sizes) and (sizes.min() != sizes.max() or sizes[0] not in (2, 3)):
            i = int(np.flatnonzero((sizes != sizes[0]) | ~np.isin(sizes, (2, 3)))[0])
            raise ValueError(f"{name}: point {i} has {sizes[i]} coordinates; every point needs 2, "
                             f"or every point 3")
        d = int(sizes[0]) if len(sizes) else 2
        return _floats(points.flatten(), name).reshape(-1, d)
    raise TypeError(f"{name}: values must be FixedSizeList<float, 2|3>, Struct<x, y[, z]> or "
                    f"List<float> points, got {t}")
