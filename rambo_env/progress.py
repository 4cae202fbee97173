"""Progress bars that cost nothing when switched off.

Probe 75 rows 4-5: a ``tqdm(..., disable=True)`` still runs ``tqdm.__new__``, which makes tqdm's
multiprocessing lock (fixing the process's start method to ``'fork'``: a later
``multiprocessing.set_start_method('spawn')`` raised "context has already been set") and starts
its ``tqdm_monitor`` thread for the rest of the process. With ``progress=False`` no tqdm object
is built here at all; with ``progress=True`` those are tqdm's own doing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class NullBar:
    """Stands in for a disabled tqdm bar: counts ``n``, shows nothing, makes no lock or thread."""

    def __init__(self, total: float | None = None, initial: float = 0) -> None:
        self.total, self.n = total, initial

    def update(self, n: float = 1) -> None:
        self.n += n

    def set_postfix(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> NullBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def progress_bar(iterable: Iterable | None = None, *, progress: bool, **kwargs: Any) -> Any:
    """``tqdm.auto.tqdm(iterable, **kwargs)`` when ``progress``, else no tqdm object at all.

    Off, an ``iterable`` comes back as it is, and without one a :class:`NullBar` (``total``
    and ``initial`` kept; every other tqdm option ignored).
    """
    if progress:
        from tqdm.auto import tqdm

        return tqdm(iterable, **kwargs)
    if iterable is not None:
        return iterable
    return NullBar(kwargs.get("total"), kwargs.get("initial", 0))
