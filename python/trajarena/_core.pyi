"""Types of the compiled core (`trajarena._core`, Rust). Users meet `Metric` and `DPResult`;
the functions are the core's entry points under the Python API, which checks and converts the
arguments first. Errors are `ValueError` / `TypeError` naming the argument (and the trajectory
index in batches), `MemoryError` for an output that cannot be allocated, and
`KeyboardInterrupt` when Ctrl-C stops a call."""

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, final

import numpy as np
import numpy.typing as npt

Fingerprint = Tuple[int, int, int]
Progress = Optional[Callable[[int, int], Any]]
F64Array = npt.NDArray[np.float64]
I64Array = npt.NDArray[np.int64]

METRICS: List[str]
SIMD: str
__version__: str

@final
class Metric:
    """A validated metric: a registry name (or alias) and its parameters, defaults filled in.

    Arguments:
        name: a metric name or alias, e.g. ``"dtw"``, ``"lcss"``, ``"frechet"``.
        **params: the metric's parameters (``space``, ``eps``, ``g``, ``window``, ``compat``,
            ``normalize``, ``precision``), checked against the registry.

    Raises:
        ValueError: an unknown name or parameter, or a value out of its range.
        TypeError: a parameter of the wrong type.
    """

    def __init__(self, name: str, **params: Any) -> None: ...
    @property
    def name(self) -> str:
        """The canonical name."""
    @property
    def params(self) -> Dict[str, Any]:
        """Every parameter, defaults included."""
    @property
    def space(self) -> str:
        """``"euclidean"`` or ``"spherical"``."""
    @property
    def symmetric(self) -> bool:
        """d(A, B) == d(B, A) bit for bit."""
    @property
    def triangle(self) -> bool:
        """Whether the metric satisfies the triangle inequality."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class DPResult:
    """A DP metric's distance with its accumulated-cost matrix and optimal alignment
    (``return_path=True``). ``float(result)`` is the distance.

    Attributes:
        distance: the distance, as the plain call returns it.
        matrix: the (n + 1, m + 1) float64 accumulated costs.
        path: the (k, 2) int64 aligned index pairs, from (0, 0) to (n - 1, m - 1).
    """

    @property
    def distance(self) -> float: ...
    @property
    def matrix(self) -> F64Array: ...
    @property
    def path(self) -> I64Array: ...
    def __float__(self) -> float: ...
    def __eq__(self, other: object) -> bool: ...
    def to_bytes(self) -> bytes:
        """The result in a compact binary form (what pickling uses)."""
    @staticmethod
    def from_bytes(data: bytes) -> "DPResult":
        """Reads ``to_bytes``' output back.

        Raises:
            ValueError: bytes that are not such a result (every length is checked).
        """

@final
class ArenaData:
    """The core's arena: offsets and coordinates, owned, mapped from a file, or borrowed."""

    @staticmethod
    def pack(seq: Sequence[Any], name: str) -> Optional["ArenaData"]: ...
    @staticmethod
    def empty(dim: int = 2) -> "ArenaData": ...
    @staticmethod
    def from_numpy(offsets: Any, coords: Any, name: str, copy: bool) -> "ArenaData": ...
    @staticmethod
    def from_buffer(buf: npt.NDArray[np.uint8], label: str, owned: bool) -> "ArenaData": ...
    @staticmethod
    def map_fd(fd: int, label: str, fingerprint: Optional[Fingerprint] = None) -> "ArenaData": ...
    @staticmethod
    def write_list(path: str, seq: Sequence[Any], name: str, private: bool) -> Optional[Dict[str, Any]]: ...
    def write(self, path: str, private: bool) -> Dict[str, Any]: ...
    def encode(self) -> bytes: ...
    def __len__(self) -> int: ...
    @property
    def dim(self) -> int: ...
    @property
    def n_points(self) -> int: ...
    @property
    def fingerprint(self) -> Optional[Fingerprint]: ...
    @property
    def validated(self) -> bool: ...
    @property
    def checked(self) -> int: ...
    def offsets_array(self) -> I64Array: ...
    def coords_array(self) -> F64Array: ...

def distance(metric: Metric, a: F64Array, b: F64Array) -> float:
    """One pair's distance.

    Arguments:
        metric: the metric.
        a, b: (n, 2|3) float64 C-contiguous trajectories.

    Returns:
        The distance.
    """

def dp_details(metric: Metric, a: F64Array, b: F64Array) -> DPResult:
    """One pair's distance with its matrix and alignment (DP metrics only).

    Raises:
        ValueError: a metric without a DP matrix.
        MemoryError: a matrix larger than memory, before anything is allocated.
    """

def sowd_cells(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], trajdist: bool = False) -> float: ...
def pdist(metric: Metric, x: ArenaData, out: F64Array | npt.NDArray[np.float32], n_jobs: int = -1,
          progress: Progress = None, start: int = 0, name: str = "X") -> None:
    """Condensed entries [start, start + len(out)) of the pdist of ``x``, written into ``out``.

    Raises:
        ValueError: ``out`` of the wrong length, or a trajectory the metric cannot take.
    """

def cdist(metric: Metric, a: ArenaData, b: ArenaData, out: F64Array | npt.NDArray[np.float32],
          n_jobs: int = -1, progress: Progress = None, rows: Optional[Tuple[int, int]] = None,
          cols: Optional[Tuple[int, int]] = None, start: int = 0,
          names: Optional[Tuple[str, str]] = None) -> None:
    """The block ``rows`` x ``cols`` of the cdist of ``a`` and ``b`` (row-major), or entries
    [start, start + len(out)) of the flat matrix, written into ``out``."""

def paired(metric: Metric, x: ArenaData, i: I64Array, j: I64Array,
           out: F64Array | npt.NDArray[np.float32], n_jobs: int = -1, progress: Progress = None) -> None:
    """d(x[i[k]], x[j[k]]) for every k, written into ``out``."""

def neighbors(metric: Metric, q: ArenaData, x: ArenaData, exclude_self: bool, k: Optional[int] = None,
              radius: Optional[float] = None, n_jobs: int = -1, progress: Progress = None,
              rows: Optional[Tuple[int, int]] = None, names: Tuple[str, str] = ("queries", "X"),
              prune: bool = True, with_stats: bool = False) -> Any:
    """The k nearest (``k``) or those within ``radius`` for query rows ``rows``:
    (distances, indices) for k, (indptr, indices, distances) for a radius; with
    ``with_stats``, a third item counting how each pair was settled."""

def lower_bounds(metric: Metric, q: ArenaData, x: ArenaData, level: str) -> F64Array:
    """The pruning lower bounds of every pair at ``level`` (for tests and benchmarks)."""

def condensed_index(n: int, i: int, j: int) -> int:
    """The position of pair (i, j), i != j, in a condensed vector of n trajectories.

    Raises:
        ValueError: i == j, or an index outside [0, n).
    """

def condensed_pair(n: int, k: int) -> Tuple[int, int]:
    """The pair (i, j), i < j, at position k of a condensed vector of n trajectories."""

def available_cores() -> int:
    """The cores this process may run on (its CPU affinity)."""

def plan_condensed(x: ArenaData, n_tasks: int) -> List[Tuple[int, int]]: ...
def plan_rect(a: ArenaData, b: ArenaData, n_tasks: int) -> List[Tuple[int, int]]: ...
def metric_info() -> List[Mapping[str, Any]]: ...
def canonical_name(name: str) -> str: ...
def build_facts() -> Dict[str, Any]: ...

