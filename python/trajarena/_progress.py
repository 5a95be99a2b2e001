"""Progress reporting for long calls: a tqdm.auto bar (a notebook widget in Jupyter), a plain
stderr line when tqdm is missing, or the caller's own ``callable(done, total)``."""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Optional


class _StderrLine:
    def __init__(self, total: int, desc: str):
        self.total, self.desc, self.last = total, desc, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.5:
            return
        self.last = now
        pct = 100.0 * done / total if total else 100.0
        sys.stderr.write(f"\r{self.desc}: {done}/{total} pairs ({pct:5.1f}%)")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def close(self) -> None:
        pass


class _TqdmBar:
    def __init__(self, total: int, desc: str):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc=desc, unit="pair", unit_scale=True, smoothing=0.1)

    def __call__(self, done: int, total: int) -> None:
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


class Reporter:
    """Context manager giving the callable the core polls, and closing any bar afterwards."""

    def __init__(self, progress: Any, total: int, desc: str):
        self.sink: Optional[Any] = None
        self.callback: Optional[Callable[[int, int], Any]] = None
        if progress is None or progress is False:
            return
        if callable(progress):
            self.callback = progress
            return
        if progress is True:
            try:
                self.sink = _TqdmBar(total, desc)
            except ImportError:
                self.sink = _StderrLine(total, desc)
            self.callback = self.sink
            return
        raise TypeError(
            f"progress: expected True, False, None or a callable(done, total), got {type(progress).__name__}"
        )

    def __enter__(self) -> Optional[Callable[[int, int], Any]]:
        return self.callback

    def __exit__(self, *exc: Any) -> None:
        if self.sink is not None:
            self.sink.close()
