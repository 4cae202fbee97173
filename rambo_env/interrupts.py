"""Signals and interrupts: SIGTERM, SIGHUP, SIGUSR2 and SIGALRM taken like Ctrl-C
(:func:`stop_signals`, :func:`sigterm_as_keyboard_interrupt`), Ctrl-C held while files that belong
together are written (:func:`interrupts_deferred`), a status line on SIGUSR1
(:func:`status_on_request`), the process-wide settings a run changes restored
(:func:`process_state_kept`), and a script's ending on an interrupt or a failure
(:func:`exit_on_interrupt`, :func:`report_failure`).

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.interrupts_deferred``).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rambo_env.host_limits import out_of_memory_line
from rambo_env.logging import note
from rambo_env.requirements import out_of_memory, tracebacks_wanted
from rambo_env.rng_state import get_rng_state, set_rng_state

__all__ = [
    "default_action_signal",
    "exit_on_interrupt",
    "interrupts_deferred",
    "process_state_kept",
    "raise_swallowed_interrupt",
    "report_failure",
    "sigterm_as_keyboard_interrupt",
    "sigterm_cleaned_up",
    "status_on_request",
    "stop_handler",
    "stop_signals",
    "swallowed_interrupt_kept",
]


#: Batch schedulers' warnings before a kill (Slurm ``--signal=USR2``, a wrapper's alarm): their
#: default action kills the process (probe 35: no ``--resume`` line, the ``.lock`` left).
_WARNING_SIGNALS = ("SIGUSR2", "SIGALRM")


def stop_handler(handler: Callable[[int, Any], None]) -> Callable[[int, Any], None]:
    """Mark a handler installed for :func:`stop_signals`, so that a nested one takes the
    warning signals over from it (they are taken only from their default or such a handler)."""
    handler.stops_run = True  # type: ignore[attr-defined]
    return handler


def stop_signals(respect_caller: bool = False) -> tuple[signal.Signals, ...]:
    """The signals handled like Ctrl-C: SIGTERM (``kill``, a scheduler's stop), SIGHUP (the
    terminal closed, an ssh session dropped; was: the run killed outright: its ``.lock`` left, no
    results.json) and SIGUSR2 / SIGALRM (a batch scheduler's warning before its kill). None while
    it is ignored: ``nohup`` ignores SIGHUP so that the run goes on, and so does it here (probe 108
    row 21: the same for an ignored SIGTERM, which stopped a run that ignores it elsewhere).
    SIGUSR2 / SIGALRM only while they would kill the process (their default action): another
    program's handler (a test runner's timeout) is left alone. POSIX signals only where they exist.
    With ``respect_caller`` (a library call, :func:`agents.cotrain.run_cotrain`) the same holds for
    SIGTERM and SIGHUP: a handler the calling program installed is left alone (probe 75 rows
    34-35: it was replaced for the run's length). The scripts take them whatever is installed (a
    local Ray's ``ray.init`` leaves its own SIGTERM handler in the sweep's driver).
    """
    found = []
    for name in ("SIGTERM", "SIGHUP", *_WARNING_SIGNALS):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        handler = signal.getsignal(sig)
        if handler is signal.SIG_IGN:  # nohup: the run goes on
            continue
        if name in ("SIGTERM", "SIGHUP") and not respect_caller:
            found.append(sig)
        elif handler is signal.SIG_DFL or getattr(handler, "stops_run", False):
            found.append(sig)
    return tuple(found)


@contextmanager
def process_state_kept() -> Iterator[None]:
    """Restore the process-wide settings a run changes: torch's thread count and the global
    RNGs (python, numpy, torch) that a run seeds.

    Probe 25: ``run_cotrain`` called from a notebook or a loop left the caller with the run's
    thread count (``torch.set_num_threads(2)`` before, 1 after) and the caller's seeded random
    streams replaced by the run's.
    """
    import torch

    threads = torch.get_num_threads()
    rng = get_rng_state()
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        set_rng_state(rng)


@contextmanager
def sigterm_as_keyboard_interrupt(respect_caller: bool = False) -> Iterator[None]:
    """Treat SIGTERM, SIGHUP, SIGUSR2 and SIGALRM (:func:`stop_signals`) like Ctrl-C (a run's training and setup,
    ``scripts/make_dataset.py``'s collection).

    Only the main thread may install signal handlers; elsewhere (e.g. a Ray worker thread) this
    does nothing. The previous handlers are restored afterwards. ``respect_caller``: a SIGTERM /
    SIGHUP handler the calling program installed is left in place (:func:`stop_signals`).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    @stop_handler
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum} ({signal.Signals(signum).name})")

    previous = {sig: signal.signal(sig, handler) for sig in stop_signals(respect_caller)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


#: Whether a KeyboardInterrupt was dropped inside :func:`swallowed_interrupt_kept` ("Exception
#: ignored in: …") that has not stopped the run yet.
_interrupt_pending = [False]


@contextmanager
def swallowed_interrupt_kept() -> Iterator[None]:
    """Remember each KeyboardInterrupt that Python drops where nobody could handle it (a weakref
    callback, a ``__del__``: it prints "Exception ignored in: …" through ``sys.unraisablehook``),
    so that :func:`raise_swallowed_interrupt` can raise it again at a safe point.

    Probe 77 row 15: the KeyboardInterrupt of a press during the first torch.compile landed in a
    weakref callback of torch's and was dropped; the run trained to its end. Probe 78 row 20: a
    Ctrl-C caught by the caller's own code (an ``on_iteration`` that skips a plot on Interrupt)
    stopped the run, as the SIGINT handler flagged every press: only the dropped ones are kept
    now, by a ``sys.unraisablehook`` that hands every report on to the previous hook.
    """
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt) or (
            unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt)
        ):
            _interrupt_pending[0] = True
        previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        if sys.unraisablehook is hook:  # one installed since stays
            sys.unraisablehook = previous
        _interrupt_pending[0] = False


def raise_swallowed_interrupt() -> None:
    """Raise the KeyboardInterrupt that :func:`swallowed_interrupt_kept` saw dropped (called at
    safe points: each environment step of co-training)."""
    if not _interrupt_pending[0]:
        return
    _interrupt_pending[0] = False
    note(
        "[rambo_env] note: a Ctrl-C / Interrupt was swallowed inside torch or another library "
        "(its 'Exception ignored in: …' above), where it could not stop the run; stopping now",
    )
    raise KeyboardInterrupt


class _Terminated(BaseException):
    """SIGTERM inside :func:`sigterm_cleaned_up` (a BaseException: ``except Exception`` in the
    user's code between must not swallow it)."""


@contextmanager
def sigterm_cleaned_up(said: str) -> Iterator[None]:
    """Let a library call that holds worker processes or half-written files clean up on SIGTERM
    (``kill``, ``timeout``, a scheduler's stop) and then die of the signal as before.

    Probe 53: SIGTERM during the first-use generation of ``load_dataset`` / ``gym.make`` killed
    the process outright: no word, only multiprocessing's "leaked semaphore objects" warning.
    Here SIGTERM raises inside the block, so the ``finally`` / ``except BaseException`` cleanups
    between run (workers stopped, staging folder and new empty root removed); then ``said`` is
    printed to stderr and SIGTERM is sent again with its default action, so the process ends
    killed by SIGTERM exactly as without this block (its exit status unchanged). Only while SIGTERM
    has its default action, in the main thread (a script's or the user's own handler is left
    alone, and the scripts handle it themselves: :func:`sigterm_as_keyboard_interrupt`)."""
    term = default_action_signal("SIGTERM")
    if term is None:
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise _Terminated(signum)

    signal.signal(term, handler)
    terminated = False
    try:
        yield
    except _Terminated:
        terminated = True
    finally:
        if signal.getsignal(term) is handler:
            signal.signal(term, signal.SIG_DFL)
    if terminated:
        # the block's frames are free now: multiprocessing's exit-time finalizers release the
        # worker pool's semaphores before the kill, as at a normal exit (was: its "leaked
        # semaphore objects" warning)
        gc.collect()
        with contextlib.suppress(Exception):
            from multiprocessing import util

            util._exit_function()
        with contextlib.suppress(RuntimeError, OSError, ValueError):
            print(said, file=sys.stderr, flush=True)
        os.kill(os.getpid(), term)
        time.sleep(1.0)  # the signal is delivered at once; this is only a fallback
        raise KeyboardInterrupt(f"signal {term} (SIGTERM)")


@contextmanager
def status_on_request(script: str, status: Callable[[], str]) -> Iterator[None]:
    """Print ``[script] status: <status()>`` to stderr on SIGUSR1 and go on, as ``dd`` does
    (probe 34: SIGUSR1 killed a run by its default action, no word, its ``.lock`` left). POSIX
    only, and only in the main thread (elsewhere a no-op); the previous handler is restored
    afterwards."""
    usr1 = getattr(signal, "SIGUSR1", None)
    if (
        usr1 is None
        or threading.current_thread() is not threading.main_thread()
        or signal.getsignal(usr1) is not signal.SIG_DFL  # probe 75 row 36: a caller's handler
    ):  # was replaced for the run's length
        yield
        return

    def say(signum: int, frame: object) -> None:
        try:
            line = status()
        except Exception as err:  # a status is never worth the run
            line = f"not available ({type(err).__name__}: {err})"
        with contextlib.suppress(RuntimeError, OSError, ValueError):  # a print in progress
            print(f"[{script}] status: {line}", file=sys.stderr, flush=True)

    previous = signal.signal(usr1, say)
    try:
        yield
    finally:
        signal.signal(usr1, previous)


def _left_alone(handler: Any) -> bool:
    """``handler`` is one a hold or a stop handler leaves in place: ``SIG_IGN`` (the signal is
    ignored, e.g. SIGINT in a background job of a script) or a calling program's own signal
    handler (a Python callable other than Python's Ctrl-C handler and the project's
    :func:`stop_handler` ones)."""
    return handler is signal.SIG_IGN or (
        callable(handler)
        and handler is not signal.default_int_handler
        and not getattr(handler, "stops_run", False)
    )


def default_action_signal(name: str) -> signal.Signals | None:
    """The signal ``name`` where this process may take it over: it exists here, this is the main
    thread (only it may install handlers) and it still has its default action; else None."""
    sig = getattr(signal, name, None)
    if (
        sig is None
        or threading.current_thread() is not threading.main_thread()
        or signal.getsignal(sig) is not signal.SIG_DFL
    ):
        return None
    return sig


@contextmanager
def interrupts_deferred(script: str, said: str, reraise: bool = False) -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP while files that belong together are written (a run's closing
    files; a ledger's CSV, index and plot), then go on, or with ``reraise`` raise the held
    ``KeyboardInterrupt`` once they are whole. An ignored signal stays ignored and a calling
    program's own handler is left as it is. A held signal prints ``[script] SIGINT <said>``
    (e.g. ``while the results were written: they were completed first``). Only the main thread
    may install handlers; elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    @stop_handler
    def hold(signum: int, frame: object) -> None:
        received.append(signum)

    # probe 108 rows 8, 21: a library caller's own handler (a Python function that is not one of
    # the project's stop handlers) and an ignored SIGINT (a background job of a script) are left
    # alone; they were bypassed for the window and became a stop
    held = [
        sig for sig in (signal.SIGINT, *stop_signals()) if not _left_alone(signal.getsignal(sig))
    ]
    previous = {sig: signal.signal(sig, hold) for sig in held}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            name = signal.Signals(received[0]).name
            print(f"[{script}] {name} {said}", flush=True)
    if received and reraise:
        raise KeyboardInterrupt(f"signal {received[0]} ({signal.Signals(received[0]).name})")


def exit_on_interrupt(
    script: str,
    left: str | Callable[[], str],
    call: Callable[[], Any],
    failed: str | Callable[[BaseException], str] | None = None,
) -> Any:
    """``call()`` with Ctrl-C and SIGTERM ending the script with ``[script] interrupted: left``
    on stderr and exit status 130 (a script's ``__main__``; was a raw ``KeyboardInterrupt``
    traceback). A callable ``left`` is asked after the interrupt (what is done by then).
    ``failed``: what an exception other than a user error (ValueError / OSError, left to the
    caller) leaves, said by :func:`report_failure` with exit status 1 (probe 86)."""
    try:
        with sigterm_as_keyboard_interrupt():
            return call()
    except KeyboardInterrupt:
        said = left() if callable(left) else left
        print(f"[{script}] interrupted: {said}", file=sys.stderr, flush=True)
        raise SystemExit(130) from None
    except Exception as err:
        # probe 137: out of memory is one line whatever its type (curves.py's protobuf "out of
        # memory", a BrokenDependencyError of matplotlib's import under ulimit -v: tracebacks)
        if out_of_memory(err):
            kept = failed if failed is not None else (lambda _: left()) if callable(left) else left
            raise SystemExit(report_failure(script, err, kept)) from None
        if failed is None or isinstance(err, ValueError | OSError):  # the caller's user error
            raise
        raise SystemExit(report_failure(script, err, failed)) from None


def _worker_traceback(err: BaseException) -> str | None:
    """The traceback of a worker process's exception re-raised by ``concurrent.futures`` (its
    ``_RemoteTraceback`` cause), cut to the worker's own frames and the error line; None for an
    exception of this process. Probe 86 row 25: was 43 lines, most of them the pool's."""
    remote = getattr(err.__cause__, "tb", None)
    if type(err.__cause__).__name__ != "_RemoteTraceback" or not isinstance(remote, str):
        return None
    kept: list[str] = []
    skipping = False
    for line in remote.strip('\n"').splitlines():  # was quoted in triple quotes
        if line.startswith("  File "):  # a frame: its File line, then its indented source
            skipping = f"concurrent{os.sep}futures" in line or "concurrent/futures" in line
        elif not line.startswith("    "):  # the header, the error line(s)
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


def report_failure(
    script: str, err: BaseException, left: str | Callable[[BaseException], str]
) -> int:
    """Exit status 1 for an exception that ended a script mid-way, then what it left on disk
    and how to go on (``left``, or ``left(err)``; asked after the error). A bug keeps its
    traceback (a worker process's cut to its own frames); out of memory is one line
    (RAMBO_ENV_TRACEBACK=1 shows the traceback). Probe 86 rows 2, 4, 9, 12, 22, 25: a
    MemoryError / RuntimeError mid-way through make_dataset, diagnose, mle_quality was a bare
    traceback, nothing said of what was kept or whether to rerun (their Ctrl-C lines say it)."""
    import traceback

    worker = _worker_traceback(err)
    where = " in a worker process" if worker is not None else ""
    one_line = out_of_memory(err) and not tracebacks_wanted()
    with contextlib.suppress(OSError):  # stderr may be the closed pipe too
        if one_line:
            said = out_of_memory_line(err, remedy=False)
            said = said.replace("out of memory", f"out of memory{where}", 1)
            print(
                f"[{script}] error: {said}\n(RAMBO_ENV_TRACEBACK=1 shows the traceback)",
                file=sys.stderr,
            )
        elif worker is not None:
            print(f"[{script}] error{where}:\n{worker}", file=sys.stderr)
        else:
            traceback.print_exception(err)
        said = left(err) if callable(left) else left
        print(f"[{script}] stopped on this error: {said}", file=sys.stderr, flush=True)
    return 1
