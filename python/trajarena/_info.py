"""What this build is and which metrics it has: ``build_info()`` and ``metric_info()``, both read
from the Rust core (Cargo.toml's version, the registry of metrics)."""

from __future__ import annotations

import copy
from typing import Any, Optional, Union, overload

from . import _core

__version__: str = _core.__version__

_REGISTRY: tuple[Any, ...] = tuple(_core.metric_info())


def build_info() -> dict[str, Any]:
    """This build's facts, for bug reports and benchmark tables.

    Returns
    -------
    dict
        ``version`` (from Cargo.toml), ``simd`` (the kernels' instruction set in use:
        "avx512", "avx2" or "portable"; the ``TRAJARENA_SIMD`` environment variable caps it),
        ``cores`` (what ``n_jobs=None`` and -1 use), ``target`` (architecture and OS) and
        ``debug`` (True for a build with debug assertions, whose timings mean nothing).
    """
    info = dict(_core.build_facts())
    info["cores"] = _core.available_cores()
    return info


@overload
def metric_info(name: None = ...) -> list[dict[str, Any]]: ...
@overload
def metric_info(name: str) -> dict[str, Any]: ...
def metric_info(name: Optional[str] = None) -> Union[dict[str, Any], list[dict[str, Any]]]:
    """The registry's entry for the metric ``name`` (aliases accepted, any case), or every
    entry when ``name`` is None.

    Parameters
    ----------
    name : str, optional
        A metric name or alias.

    Returns
    -------
    dict, or a list of them
        Each entry: ``name``, ``aliases``, ``summary``, ``family`` (the kernel family), ``return_path``
    (whether the single-pair function can return its DP matrix), ``spaces`` (the first is the
    default), ``params`` (each with ``name``, ``type``, ``required``, ``default``, ``check``,
    ``help``) and ``variants`` (each with ``compat`` as ``compat=`` takes it, its ``name`` in that
    library, its ``spaces``, ``symmetric``: d(a, b) == d(b, a) bit for bit, and ``triangle``:
    whether the triangle inequality holds). The entries are copies: changing one changes nothing.

    Raises
    ------
    ValueError
        An unknown name.
    """
    if name is None:
        return copy.deepcopy(list(_REGISTRY))
    if not isinstance(name, str):
        raise TypeError(f"name: expected a metric name (str), got {type(name).__name__}")
    canonical = _core.canonical_name(name)
    return copy.deepcopy(next(m for m in _REGISTRY if m["name"] == canonical))
