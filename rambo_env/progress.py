"""Progress bars that cost nothing when switched off.

Probe 75 rows 4-5: a ``tqdm(..., disable=True)`` still runs ``tqdm.__new__``, which makes tqdm's
multiprocessing lock (fixing the process's start method to ``'fork'``: a later
``multiprocessing.set_start_method('spawn')`` raised "context has already been set") and starts
its ``tqdm_monitor`` thread for the rest of the process. With ``progress=False`` no tqdm object
is built here at all; with ``progress=True`` those are tqdm's own doing.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from rambo_env.logging import note
from rambo_env.requirements import import_dependency


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


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` shows a live bar: a terminal, or a Jupyter kernel's output stream
    (whose ``isatty()`` is False, but where ``tqdm.auto`` draws a widget). False for a file, a
    pipe, a closed or odd stream."""
    if type(stream).__module__.partition(".")[0] == "ipykernel":
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class LineBar:
    """Stands in for a tqdm bar whose stream (stderr) is not a terminal, a batch job's log file:
    plain lines, ``co-training: 3/10 it (Q=1.5, score=4.2), 12 s``, flushed. Probe 133 row 2:
    tqdm's ``\r`` redraws made a 2000-iteration run's bar one line of 2000 redraws in the log
    (``^M`` junk in less / grep), and ``--no-progress`` said nothing between the first iteration
    and the end. ``throttled``: not a line per :meth:`update` (co-training's iterations) but one
    at each tenth of ``total`` or at an update :data:`LINE_EVERY_S` seconds after the last line,
    and the count at :meth:`close` (the setup bars: dataset generation, MLE and BC pretraining,
    probe 133).
    ``iterable``: counted as it is iterated, as tqdm's."""

    def __init__(
        self,
        total: float | None = None,
        initial: float = 0,
        desc: str = "",
        unit: str = "it",
        *,
        iterable: Iterable | None = None,
        throttled: bool = False,
    ) -> None:
        if total is None and iterable is not None and hasattr(iterable, "__len__"):
            total = len(iterable)  # type: ignore[arg-type]
        self.total, self.n, self.desc, self.unit = total, initial, desc, unit
        self.iterable, self.throttled = iterable, throttled
        self.postfix = ""
        self.t_start = self._t_said = time.monotonic()
        self._n_said = initial

    def set_postfix(self, postfix: dict[str, Any] | None = None, refresh: bool = True,
                    **kwargs: Any) -> None:  # fmt: skip
        items = {**(postfix or {}), **kwargs}
        self.postfix = ", ".join(f"{key}={value}" for key, value in items.items())

    def update(self, n: float = 1) -> None:
        self.n += n
        if not self.throttled or self._due():
            self._say()

    def _due(self) -> bool:
        """A throttled bar's next line: a tenth of ``total`` more, the end, or
        :data:`LINE_EVERY_S` since the last line."""
        if time.monotonic() - self._t_said >= LINE_EVERY_S:
            return True
        if not self.total:
            return False
        tenth = self.total / 10
        return self.n >= self.total or self.n // tenth > self._n_said // tenth

    def _say(self) -> None:
        self._n_said, self._t_said = self.n, time.monotonic()
        of = f"/{self.total:g}" if self.total is not None else ""
        extra = f" ({self.postfix})" if self.postfix else ""
        line = f"{self.desc}: {self.n:g}{of} {self.unit}{extra}, "
        line += f"{time.monotonic() - self.t_start:.0f} s"
        if sys.stderr is None:  # pythonw / a service: nowhere to write (print would use stdout)
            return
        if getattr(sys.stderr, "failed", False):  # a script's stderr failed: bars off (probe 117)
            return
        with contextlib.suppress(OSError, ValueError):  # a closed log: the run goes on
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.throttled and self.n != self._n_said:  # where it ended (an early stop)
            self._say()

    def __iter__(self) -> Iterator[Any]:
        for item in self.iterable or ():
            yield item
            self.update(1)

    def __len__(self) -> int:
        return len(self.iterable)  # type: ignore[arg-type]

    def __enter__(self) -> LineBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: A throttled :class:`LineBar` writes a line at least this often (seconds) while it counts.
LINE_EVERY_S = 30.0


def progress_bar(iterable: Iterable | None = None, *, progress: bool, **kwargs: Any) -> Any:
    """``tqdm.auto.tqdm(iterable, **kwargs)`` when ``progress``, else no tqdm object at all.

    Off, an ``iterable`` comes back as it is, and without one a :class:`NullBar` (``total``
    and ``initial`` kept; every other tqdm option ignored). On, with stderr not a terminal (a
    log file, a pipe; a Jupyter kernel's stream is one: :func:`is_terminal`), a throttled
    :class:`LineBar`: a plain line at each tenth, not ``\r`` redraws (probe 133).
    """
    if progress:
        stop_stale_rich_bars()  # it holds stdout / stderr: before a line bar's lines too
    if progress and not is_terminal(sys.stderr):
        return LineBar(
            kwargs.get("total"),
            kwargs.get("initial", 0),
            kwargs.get("desc", ""),
            kwargs.get("unit", "it"),
            iterable=iterable,
            throttled=True,
        )
    if progress:
        tqdm = import_dependency("tqdm.auto").tqdm  # probe 114b: a broken install named
        return tqdm(iterable, **kwargs)
    if iterable is not None:
        return iterable
    return NullBar(kwargs.get("total"), kwargs.get("initial", 0))


# probe 77 row 9: SB3's ``learn(progress_bar=True)`` closes its rich bar (tqdm.rich) only when
# training ends normally. Interrupted in a notebook, the bar's rich ``Live`` kept the kernel's
# stdout / stderr redirected for the kernel's life, and the next project bar died with a
# RecursionError inside rich. ``learns_running`` counts the agent ``learn`` calls under way, whose
# rich bars are alive, not stale.
learns_running = 0


def close_rich_bars(keep: Iterable[Any] = (), only: Iterable[Any] | None = None) -> int:
    """Close the open ``tqdm.rich`` bars (SB3's ``ProgressBarCallback``) other than ``keep``
    (``only``: of those bars alone).

    Closing one stops its rich ``Live`` display, which gives stdout / stderr back. Returns how
    many were closed.
    """
    kept = set(map(id, keep))
    stale = [b for b in rich_bars() if id(b) not in kept]
    if only is not None:
        chosen = set(map(id, only))
        stale = [b for b in stale if id(b) in chosen]
    for bar in stale:
        try:
            bar.close()
        except Exception:  # its redraw failed (the broken output itself): stop the display only
            if getattr(bar, "_prog", None) is not None:
                bar._prog.stop()
            type(bar)._decr_instances(bar)
    return len(stale)


def sb3_rich_bars() -> list[Any]:
    """The open ``tqdm.rich`` bars held by an SB3 ``ProgressBarCallback`` (its ``pbar``): those
    of an ``agent.learn(progress_bar=True)``. Probe 78 row 16: every open rich bar was taken for
    one, and a bar the user was showing (their own ``tqdm.rich`` loop around project calls) was
    closed at the first project bar, with a note naming an interrupt that never happened."""
    bars = rich_bars()
    callbacks = sys.modules.get("stable_baselines3.common.callbacks")
    if not bars or callbacks is None:  # no SB3 callback was ever made here
        return []
    owner = callbacks.ProgressBarCallback
    held = []
    for bar in bars:
        referrers = gc.get_referrers(bar)
        # the callback itself, or its __dict__ where Python made one
        dicts = [r for r in referrers if isinstance(r, dict) and r.get("pbar") is bar]
        referrers += [o for d in dicts for o in gc.get_referrers(d)]
        if any(isinstance(r, owner) and getattr(r, "pbar", None) is bar for r in referrers):
            held.append(bar)
    return held


def rich_bars() -> list[Any]:
    """The open ``tqdm.rich`` bars of this process (empty when tqdm.rich was never imported)."""
    if "tqdm.rich" not in sys.modules:
        return []
    from tqdm import tqdm
    from tqdm.rich import tqdm_rich

    return [b for b in list(tqdm._instances) if isinstance(b, tqdm_rich)]


def stop_stale_rich_bars() -> None:
    """Close a rich progress bar left open by an interrupted ``agent.learn(progress_bar=True)``
    (none while an agent's ``learn`` runs), with one note line. Only SB3's bars
    (:func:`sb3_rich_bars`): every other rich display is the user's."""
    if learns_running or not close_rich_bars(only=sb3_rich_bars()):
        return
    note(
        "[rambo_env] note: stopped the rich progress bar of an interrupted "
        "agent.learn(progress_bar=True), which still held this process's output (in a notebook "
        "it broke every later bar and print)",
    )


@contextmanager
def learn_closes_its_bars() -> Iterator[None]:
    """Around an SB3 ``learn``: the rich bars it opens are closed however it ends (an
    interrupt included), and none is taken for stale while it runs."""
    global learns_running
    before = rich_bars()
    learns_running += 1
    try:
        yield
    finally:
        learns_running -= 1
        close_rich_bars(keep=before)
