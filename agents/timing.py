"""Wall-time estimates of a co-training run from iterations measured on this machine.

Every run records its median iteration time (rollout + agent + adversary, evaluation excluded)
in ``<model cache>/iteration_times.json`` under a key of what decides it: CPU model, torch
threads, device, rollout rows × k, agent steps, adversary steps (0 when λ = 0) and the network
widths; it updates the record after every iteration, so a session that is killed has recorded
its times too. A later run with the same key prints its estimate before it starts (a resumed run
without one uses its own earlier iterations), and every run prints a measured one after its
first iteration (after its second when compiled: the first includes the compile). Nothing is
guessed: without a measurement the run says so.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from rambo_env.bench import cpu_model
from rambo_env.command_line import shell_path
from rambo_env.dynamics.io import cache_dir
from rambo_env.logging import note
from rambo_env.run_io import (
    can_remove,
    check_flag,
    is_int,
    owned_by_other,
    owner_text,
    sticky_text,
    write_json,
)

if TYPE_CHECKING:
    from agents.cotrain_setup import CotrainConfig

__all__ = ["TIMES_NAME", "estimate_lines", "format_duration", "record_iteration_time", "timing_key"]

TIMES_NAME = "iteration_times.json"
PAPER_ITERATIONS = 2000


def timing_key(
    cfg: CotrainConfig, rollout_length: int, adversary_weight: float, device: str
) -> str:
    """What an iteration's wall time depends on (the sizes of Alg. 1's three lines, the machine,
    the GPU's model, and whether the steps are compiled: probe 74 row 4, a compiled run's time
    (17.1 s per paper-size iteration on an H200) was the estimate of an eager one (28.5 s))."""
    adversary = cfg.adversary_steps_per_iteration if adversary_weight > 0 else 0
    gpu = ""
    if str(device).startswith("cuda") and torch.cuda.is_available():
        gpu = f" {torch.cuda.get_device_name(torch.device(device))}"
    return (
        f"{cpu_model() or 'unknown cpu'} | threads {cfg.torch_threads} | {device}{gpu} | "
        f"{cfg.algo} | rollouts {cfg.n_rollouts}x{rollout_length} | agent "
        f"{cfg.agent_steps_per_iteration} | adversary {adversary} | ensemble width "
        f"{cfg.ensemble_hidden}"
        + (f" | agent width {cfg.agent_hidden}" if cfg.agent_hidden else "")  # keys as before
        + (f" | {cfg.precision}" if cfg.precision != "fp32" else "")  # fp32 keys as before
        # eager keys as before; a compile torch is told to skip is eager (probe 76 row 18)
        + (" | compiled" if cfg.compiles else "")
    )


#: A recorded iteration time above this (about 115 days) is no measurement: ignored.
MAX_ITERATION_S = 1e7


def _path() -> Path:
    return cache_dir() / TIMES_NAME


def _read() -> dict[str, float]:
    if not _readable(_path()):
        return {}
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):  # valid JSON, not the record (was: a raw AttributeError)
        return {}
    return {  # was: a hand-edited 1e308 overflowed the estimate into a traceback after the setup
        k: float(v)
        for k, v in data.items()
        if isinstance(v, int | float) and math.isfinite(v) and 0 < v < MAX_ITERATION_S
    }


def record_iteration_time(key: str, iteration_s: Sequence[float]) -> None:
    """Store the median of this session's iteration times under ``key`` (atomic write); a time
    that is no measurement (non-finite, <= 0, or >= :data:`MAX_ITERATION_S`) is ignored (probe 63:
    1e9 was stored, then ignored on every read). One ValueError naming ``key`` (a str) or
    ``iteration_s`` (a sequence of numbers) otherwise, before the file is read (probe 66 row 89:
    None was sorted()'s raw TypeError inside the write, 3.0 "'float' object is not iterable")."""
    if not isinstance(key, str):
        raise ValueError(f"key: expected a str (agents.timing.timing_key), got {key!r:.60}")
    times = _times(iteration_s, "iteration_s")
    values = [t for t in times if math.isfinite(t) and 0 < t < MAX_ITERATION_S]
    if not values:
        return
    path = _path()
    if not _readable(path):  # probe 95 row 26: another user's file was replaced by this one's
        return
    data = _read()
    data[key] = statistics.median(values)
    try:  # probe 97 row 45: root (sudo -E) keeps a user's file theirs (write_json does it)
        write_json(path, dict(sorted(data.items())))
    except OSError as err:  # the run goes on: a failed record only costs later estimates
        _say_not_recorded(path, err)


#: The timing files whose failed write was already named in this process (once each).
_NOT_RECORDED_SAID: set[str] = set()


def _readable(path: Path) -> bool:
    """False, said once per process and file, when the timing file ``path`` exists but this user
    may not read it (another user's, mode 0600, in a shared cache): its times are not read, and
    the file is not replaced (probe 95 row 26: "no iteration … timed yet", then the owner's
    records replaced by this user's without a word). True otherwise (missing, readable)."""
    try:
        with open(path, "rb"):
            return True
    except PermissionError:
        pass
    except OSError:  # missing, a folder: the read and the write say so
        return True
    if str(path) not in _NOT_RECORDED_SAID:
        _NOT_RECORDED_SAID.add(str(path))
        fix = f"make it readable (chmod u+r {shell_path(path)})"
        elsewhere = ", or set RAMBO_ENV_CACHE to a folder of your own"
        mine = not owned_by_other(path.parent)
        if owned_by_other(path) and mine and can_remove(path):  # probe 97 row 45: was "ask its
            # owner" of a file root left in this user's own cache (sudo -E); they may remove it
            fix = (
                f"remove it (rm {shell_path(path)}: your folder lets you; it holds only estimates)"
            )
            elsewhere = ""
        elif owned_by_other(path):
            fix = f"ask its owner to make it readable (chmod a+r {shell_path(path)})"
        note(
            f"[cotrain] WARNING: {path} is not readable by this user (Permission denied; "
            f"{owner_text(path)}): iteration times are neither read nor recorded there (the "
            f"file is left as it is), so start estimates stay unknown; {fix}{elsewhere}",
        )
    return False


def _say_not_recorded(path: Path, err: OSError) -> None:
    """One line, once per process and file, that iteration times are not recorded (probe 60: a
    folder at ``iteration_times.json`` silently kept every later start estimate unknown)."""
    if str(path) in _NOT_RECORDED_SAID:
        return
    _NOT_RECORDED_SAID.add(str(path))
    consequence = "iteration times are not recorded, so start estimates stay unknown"
    if path.is_dir():
        note(f"[cotrain] note: {path} is a folder: {consequence}; remove it")
    elif owned_by_other(path) and not can_remove(path) and _folder_writable(path.parent):
        note(  # probe 97 row 31: was "make that folder writable" of a writable sticky folder
            f"[cotrain] note: {path}: not written ({err.strerror or err}): it is another user's "
            f"file ({owner_text(path)}){sticky_text(path.parent)}, which only its owner or root "
            f"may replace: {consequence}; ask its owner to remove it, or set RAMBO_ENV_CACHE to "
            "a folder of your own",
        )
    else:
        note(
            f"[cotrain] note: {path}: not written ({err.strerror or err}): {consequence}; make "
            "that folder writable, or set RAMBO_ENV_CACHE to a folder of your own",
        )


def _folder_writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _times(values: object, what: str) -> list[float]:
    """``values`` (a sequence of numbers of seconds, NaN / inf kept for the caller to drop) as
    floats; one ValueError naming ``what`` otherwise."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValueError(f"{what}: expected a sequence of seconds, got {values!r:.60}")
    values = list(values)
    bad = [v for v in values if not isinstance(v, numbers.Real) or isinstance(v, bool)]
    if bad:
        raise ValueError(f"{what}: expected a sequence of seconds, holding {bad[0]!r:.40}")
    return [float(v) for v in values]


def _seconds(value: object, what: str) -> float:
    """``value`` as a float of seconds >= 0 (+inf allowed); one ValueError naming ``what``."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)  # numpy scalars too
    if not ok or math.isnan(value) or value < 0:
        raise ValueError(f"{what}: expected a number of seconds >= 0, got {value!r}")
    return float(value)


def format_duration(seconds: float) -> str:
    """``'2 h 05 min'`` / ``'14 min'`` / ``'45 s'`` / ``'0.5 s'`` (one decimal under 10 s);
    ``'an unbounded time'`` for +inf. One ValueError naming ``seconds`` for anything but a number
    >= 0 (probe 63: None was float()'s raw TypeError, ``'3'`` read as 3 s, NaN and -5 as "0 s")."""
    seconds = _seconds(seconds, "seconds")
    if not math.isfinite(seconds):  # was: OverflowError from round()
        return "an unbounded time"
    if seconds == 0:
        return "0 s"
    if seconds < 0.05:
        return "<0.1 s"
    if seconds < 9.95:  # probe 60: 0.5 s showed as "0 s" (rounded to even)
        return f"{seconds:.1f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def estimate_lines(
    key: str,
    remaining: int,
    *,
    measured_s: float | None = None,
    measured_as: str = "this run's first iteration",
    own_history: Sequence[float] = (),
    threads: int | None = None,
    paper_sizes: bool = True,
    compiling: bool = False,
    scope: str = "remaining iteration(s)",
) -> list[str]:
    """Estimated wall time of the remaining iterations and of the paper preset (2000 iterations).

    ``measured_s``: an iteration of this session (``measured_as`` says which); else the stored
    time for ``key``; else the median of ``own_history``, a resumed run's earlier iteration
    times (was: "no iteration timed" for a run resumed after 119 iterations whose session had
    ended before it could record them). ``paper_sizes``: the run has the paper's per-iteration
    sizes, so its time also prices ``--preset paper``. ``compiling``: this session's first
    iteration also compiles the losses (probe 40: a 1 s estimate, then a 45 s first iteration);
    with no time known, the estimate then follows the second iteration. ``scope`` names what
    ``remaining`` counts (cotrain: the iterations to its ``stop_at_iteration``).
    One ValueError naming ``remaining`` (an int >= 0) or ``measured_s`` (a finite number >= 0)
    otherwise (probe 63: NaN or -1 s, and -3 iterations, were estimated as "0 s").
    """
    if not is_int(remaining) or remaining < 0:
        raise ValueError(f"remaining: expected an int >= 0 of iterations, got {remaining!r}")
    if measured_s is not None and not math.isfinite(_seconds(measured_s, "measured_s")):
        raise ValueError(f"measured_s: expected a finite number of seconds, got {measured_s!r}")
    own = [
        t
        for t in _times(own_history, "own_history")
        if math.isfinite(t) and 0 < t < MAX_ITERATION_S
    ]
    # probe 66 row 90: threads=0 was printed as "0 torch thread(s)", compiling="no" was truthy
    if threads is not None and not (is_int(threads) and threads >= 1):
        raise ValueError(f"threads: expected an int >= 1 or None, got {threads!r}")
    compiling = check_flag(compiling, "compiling")
    if measured_s is not None:
        per_iteration, source = measured_s, measured_as
    elif (stored := _read().get(key)) is not None:
        per_iteration, source = stored, "earlier runs here"
    elif own:
        per_iteration = statistics.median(own)
        source = f"median of this run's {len(own)} earlier iteration(s)"
    else:
        per_iteration = None
    threads = torch.get_num_threads() if threads is None else threads
    if per_iteration is None:
        # cotrain estimates after the first iteration of the session, the second when it
        # compiles, and only when iterations remain after it (probe 64 row 22: a compiled
        # 2-iteration run was promised an estimate "after the first iteration" and got none)
        none = f"no iteration of these sizes timed on this machine yet ({threads} torch thread(s))"
        if remaining <= 1 + compiling:
            return [none]
        after = "the second iteration (the first compiles)" if compiling else "the first iteration"
        return [f"{none}; an estimate follows {after}"]
    paper = (
        f"--preset paper: {format_duration(PAPER_ITERATIONS * per_iteration)} for "
        f"{PAPER_ITERATIONS} iterations plus MLE pretraining to the official early stop (hours "
        "on 1M transitions)"
        if paper_sizes
        else "--preset paper: not priced (this run's sizes differ from the paper's)"
    )
    return [
        f"estimated wall time: {format_duration(remaining * per_iteration)} for the "
        f"{remaining} {scope} at {per_iteration:.1f} s each ({source}, "
        f"{threads} torch thread(s), evaluations extra"
        + ("; the first also compiles the losses: about a minute more" if compiling else "")
        + f"); {paper}"
    ]
