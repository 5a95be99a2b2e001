"""The data people have: GeoPandas LineStrings, long tables (pandas, polars), MovingPandas
collections, GeoArrow and polars arrays, each as an Arena with its ids, and accepted by every
batch call; tables and other containers get errors that say what to do."""

import warnings

import geoarrow.pyarrow as ga
import geopandas as gpd
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import shapely

import trajarena as ta

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # movingpandas warns about optional smoothers it lacks
    import movingpandas as mpd

RNG = np.random.default_rng(15)
TRAJS = [np.c_[-122.4 + RNG.normal(0, 0.01, n).cumsum(), 37.7 + RNG.normal(0, 0.01, n).cumsum()]
         for n in RNG.integers(2, 30, 25)]
IDS = [f"cab{k:02d}" for k in range(len(TRAJS))]


def long_table(trajs=TRAJS, ids=IDS, shuffle=True):
    rows = [(tid, t0, x, y) for tid, t in zip(ids, trajs) for t0, (x, y) in enumerate(t)]
    df = pd.DataFrame(rows, columns=["traj_id", "t", "lon", "lat"])
    return df.sample(frac=1.0, random_state=0) if shuffle else df


def same(arena, trajs):
    assert len(arena) == len(trajs)
    for a, t in zip(arena, trajs):
        np.testing.assert_array_equal(a, t)


def test_geopandas_linestrings():
    gdf = gpd.GeoDataFrame({"name": IDS}, geometry=[shapely.LineString(t) for t in TRAJS],
                           crs="EPSG:4326", index=pd.Index([10 + k for k in range(len(TRAJS))]))
    a = ta.Arena.from_geopandas(gdf)
    same(a, TRAJS)
    assert list(a.ids) == list(gdf.index)
    b = ta.Arena.from_geopandas(gdf.geometry)  # a GeoSeries
    same(b, TRAJS)
    z = gpd.GeoSeries([shapely.LineString(np.c_[t, np.arange(len(t))]) for t in TRAJS[:3]])
    assert ta.Arena.from_geopandas(z).dim == 3


def test_geopandas_errors():
    geoms = [shapely.LineString(TRAJS[0]), shapely.Point(0, 0), shapely.LineString(TRAJS[1])]
    with pytest.raises(TypeError, match=r"gdf\[1\]: a Point geometry; only LineStrings"):
        ta.Arena.from_geopandas(gpd.GeoSeries(geoms))
    multi = shapely.MultiLineString([TRAJS[0], TRAJS[1]])
    with pytest.raises(TypeError, match=r"gdf\[0\]: a MultiLineString.*explode"):
        ta.Arena.from_geopandas(gpd.GeoSeries([multi]))
    with pytest.raises(ValueError, match=r"gdf\[1\]: geometry is missing"):
        ta.Arena.from_geopandas(gpd.GeoSeries([shapely.LineString(TRAJS[0]), None]))
    with pytest.raises(ValueError, match=r"gdf\[0\]: trajectory is empty"):
        ta.Arena.from_geopandas(gpd.GeoSeries([shapely.LineString()]))
    with pytest.raises(TypeError, match="GeoDataFrame or GeoSeries"):
        ta.Arena.from_geopandas(pd.DataFrame({"a": [1]}))


@pytest.mark.parametrize("frame", ["pandas", "polars"])
def test_long_tables(frame):
    df = long_table()
    if frame == "polars":
        df = pl.from_pandas(df)
    a = ta.Arena.from_frame(df, by="traj_id", x="lon", y="lat", order_by="t")
    same(a, TRAJS)  # IDS sort like the trajectories
    assert list(a.ids) == IDS
    # without order_by: row order within each trajectory
    ordered = long_table(shuffle=False)
    b = ta.Arena.from_frame(ordered if frame == "pandas" else pl.from_pandas(ordered))
    same(b, TRAJS)


def test_long_table_order_and_errors():
    df = long_table()
    df["when"] = pd.Timestamp("2026-01-01") + pd.to_timedelta(df["t"], unit="s")
    same(ta.Arena.from_frame(df, order_by="when"), TRAJS)
    rev = df.assign(traj_id=df["traj_id"].map({k: f"{99 - i:02d}" for i, k in enumerate(IDS)}))
    a = ta.Arena.from_frame(rev, order_by="t")
    same(a, TRAJS[::-1])  # ascending ids: the last trajectory's id is now the smallest
    z = ta.Arena.from_frame(df.assign(alt=1.0), z="alt", order_by="t")
    assert z.dim == 3
    with pytest.raises(ValueError, match=r"df: no column 'longitude'"):
        ta.Arena.from_frame(df, x="longitude")
    bad = df.copy()
    bad.loc[bad.index[5], "lat"] = np.nan
    with pytest.raises(ValueError, match=r"df: trajectory .*point .*missing or not finite"):
        ta.Arena.from_frame(bad, order_by="t")
    no_id = df.reset_index(drop=True).astype({"traj_id": object})
    no_id.loc[3, "traj_id"] = None
    with pytest.raises(ValueError, match=r"df: column 'traj_id' is missing a value at row 3"):
        ta.Arena.from_frame(no_id)
    with pytest.raises(TypeError, match=r"df: column 'lon' holds"):
        ta.Arena.from_frame(df.assign(lon="x"))


def test_movingpandas():
    df = long_table(shuffle=False)
    df["time"] = pd.Timestamp("2026-01-01") + pd.to_timedelta(df["t"], unit="min")
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4326")
    tc = mpd.TrajectoryCollection(gdf, traj_id_col="traj_id", t="time")
    a = ta.Arena.from_movingpandas(tc)
    assert list(a.ids) == [t.id for t in tc.trajectories]
    by_id = dict(zip(IDS, TRAJS))
    same(a, [by_id[i] for i in a.ids])
    with pytest.raises(TypeError, match="TrajectoryCollection"):
        ta.Arena.from_movingpandas(tc.trajectories[0])


def test_arrow_geoarrow_and_polars():
    wkb = [shapely.LineString(t).wkb for t in TRAJS]  # WKB keeps every bit, WKT would round
    for coord_type in (ga.CoordType.SEPARATED, ga.CoordType.INTERLEAVED):
        arr = ga.as_geoarrow(pa.array(wkb), coord_type=coord_type)
        same(ta.Arena.from_arrow(arr), TRAJS)
    with pytest.raises(TypeError, match="geoarrow.point"):
        ta.Arena.from_arrow(ga.as_geoarrow(["POINT (0 0)"]))
    s = pl.Series([t.tolist() for t in TRAJS])  # List(List(Float64))
    same(ta.Arena.from_arrow(s), TRAJS)
    fixed = pl.Series([t.tolist() for t in TRAJS], dtype=pl.List(pl.Array(pl.Float64, 2)))
    same(ta.Arena.from_arrow(fixed), TRAJS)
    with pytest.raises(ValueError, match="point 1 has 3 coordinates"):
        ta.Arena.from_arrow(pl.Series([[[0.0, 1.0], [1.0, 2.0, 3.0]]]))
    sliced = pa.array([t.tolist() for t in TRAJS], type=pa.list_(pa.list_(pa.float64(), 2))).slice(4, 6)
    same(ta.Arena.from_arrow(sliced), TRAJS[4:10])


def test_struct_points_of_a_slice():
    points = [[{"x": float(x), "y": float(y)} for x, y in t] for t in TRAJS]
    arr = pa.array(points, type=pa.large_list(pa.struct([("x", pa.float64()), ("y", pa.float64())])))
    same(ta.Arena.from_arrow(arr.slice(3, 4)), TRAJS[3:7])


def test_batch_calls_take_them_directly():
    want = ta.pdist(TRAJS, "dtw")
    gdf = gpd.GeoDataFrame(geometry=[shapely.LineString(t) for t in TRAJS])
    assert np.array_equal(ta.pdist(gdf, "dtw"), want)
    assert np.array_equal(ta.pdist(gdf.geometry, "dtw", backend="joblib", n_jobs=2), want)
    assert np.array_equal(ta.pdist([shapely.LineString(t) for t in TRAJS], "dtw"), want)
    assert np.array_equal(ta.pdist(pl.Series([t.tolist() for t in TRAJS]), "dtw"), want)
    d, i = ta.knn(gdf, 3, "dtw")
    assert np.array_equal(i, ta.knn(TRAJS, 3, "dtw")[1])
    C = ta.cdist(gdf.geometry[:4], ta.Arena.from_frame(long_table(), order_by="t"), "hausdorff")
    assert np.array_equal(C, ta.cdist(TRAJS[:4], TRAJS, "hausdorff"))


def test_tables_and_other_containers_are_refused_with_a_way_out():
    with pytest.raises(TypeError, match=r"X: a pandas DataFrame.*Arena.from_frame\(X"):
        ta.pdist(long_table(), "dtw")
    with pytest.raises(TypeError, match=r"X: a polars DataFrame.*Arena.from_frame"):
        ta.pdist(pl.from_pandas(long_table()), "dtw")
    with pytest.raises(TypeError, match=r"list\(X.values\(\)\)"):
        ta.pdist(dict(zip(IDS, TRAJS)), "dtw")
    with pytest.raises(TypeError, match=r"list\(X\)"):
        ta.pdist((t for t in TRAJS), "dtw")
    with pytest.raises(TypeError, match="GeoSeries"):
        ta.pdist(shapely.LineString(TRAJS[0]), "dtw")
    with pytest.raises(TypeError, match=r"X\[1\]: a Point geometry"):
        ta.pdist([shapely.LineString(TRAJS[0]), shapely.Point(1, 2)], "dtw")


def test_ids_travel_by_value_and_default_to_positions():
    import pickle

    a = ta.Arena.from_frame(long_table(), order_by="t")
    b = pickle.loads(pickle.dumps(a))
    assert list(b.ids) == IDS
    assert list(ta.Arena.pack(TRAJS).ids) == list(range(len(TRAJS)))
    d, i = ta.knn(a, 2, "dtw")
    assert a.ids[i].shape == i.shape and a.ids[i][0, 0] in IDS
