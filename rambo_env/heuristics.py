"""RAMBO-OFF: offline hyperparameter selection from training Q-values (App. B.5).

The paper picks, among candidate (k, λ) configurations, the one minimising ``Q_avg + Q_var``:
``Q_avg`` is the average Q-value at the end of training and ``Q_var`` the variance of the
average Q-value over the final 100 iterations. Intuition: the value function should be
regularised (low) and stable. A run whose value function diverged (any non-finite Q in the
window) gets ``+inf`` and is never chosen while a finite candidate exists.

Pure python / numpy: usable from a results JSON, a TensorBoard export or a Ray Tune sweep.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from rambo_env.run_io import RESULTS_STATUSES, is_int, is_real, read_json, with_article

__all__ = [
    "Q_VAR_WINDOW",
    "RamboOffTerms",
    "default_q_limit",
    "mean_rambo_off",
    "rambo_off_from_results",
    "rambo_off_from_run",
    "rambo_off_terms",
    "select_rambo_off",
]

#: Number of final iterations over which the variance of the average Q is taken (App. B.5).
Q_VAR_WINDOW = 100

K = TypeVar("K", bound=Hashable)


def default_q_limit(max_abs_reward: float, gamma: float) -> float:
    """The divergence limit on |average Q|: 100 · max(max|r|, 1) / (1 − γ); ``math.inf`` at
    γ = 1 (undiscounted returns have no bound without a horizon: was a ZeroDivisionError when
    a ``RamboCallback`` was made for an agent with ``gamma=1``).

    100× the largest discounted return the rewards allow; the floor of 1 per step keeps the
    soft Q's entropy bonus of a zero-reward dataset (max|r| = 0) from counting as divergence.
    cotrain's ``--q-limit`` default (a run past it stops as diverged) and
    ``agents.callback.RamboCallback``'s ``q_limit`` default (a warning: the library does not stop).
    """
    if gamma >= 1.0:
        return math.inf
    return 100.0 * max(float(max_abs_reward), 1.0) / (1.0 - gamma)


@dataclass(frozen=True)
class RamboOffTerms:
    """The two terms of the RAMBO-OFF heuristic for one run (App. B.5)."""

    q_avg: float
    """Average Q-value at the end of training (the last logged per-iteration average Q)."""
    q_var: float
    """Population variance of the per-iteration average Q over the last ``window`` iterations."""
    window: int
    """Number of iterations the variance was taken over (``min(100, n_iterations)``)."""

    @property
    def value(self) -> float:
        """``Q_avg + Q_var``; ``+inf`` when the value function diverged (non-finite Q)."""
        total = self.q_avg + self.q_var
        return total if math.isfinite(total) else math.inf

    def to_dict(self) -> dict[str, float]:
        return {**asdict(self), "value": self.value}


def rambo_off_terms(q_history: Sequence[float], window: int = Q_VAR_WINDOW) -> RamboOffTerms:
    """RAMBO-OFF terms from the per-iteration average Q-values of one run (App. B.5).

    :param q_history: average Q-value logged at the end of each iteration, oldest first.
    :param window: iterations for the variance term (paper: the final 100).
    """
    q = _q_values(q_history, "q_history")  # [n_iterations]
    if q.size == 0:
        raise ValueError("q_history: empty; need at least one logged average Q-value")
    if not is_int(window) or window < 1:  # probe 58: 2.5 was a raw slice error, True taken as 1
        raise ValueError(
            f"window: expected an int >= 1 (the final iterations of the variance term), got "
            f"{_given(window)}"
        )
    tail = q[-window:]  # [min(window, n_iterations)]
    if not np.all(np.isfinite(tail)):
        return RamboOffTerms(q_avg=math.inf, q_var=math.inf, window=int(tail.size))
    # App. B.5: Q_avg = average Q at the end of training; Q_var = Var(avg Q) over the last 100.
    return RamboOffTerms(q_avg=float(q[-1]), q_var=float(np.var(tail)), window=int(tail.size))


def select_rambo_off(
    runs: Mapping[K, RamboOffTerms | float | Sequence[RamboOffTerms | float]],
) -> K:
    """The configuration RAMBO-OFF selects: lowest heuristic value ``Q_avg + Q_var`` (App. B.5).

    :param runs: configuration key -> one run's terms (or heuristic value), or a sequence of them
        (one per seed; their heuristic values are averaged, as in the brackets of Table 6).
    :return: the key with the lowest (mean) heuristic; ties go to the first key in ``runs``.
        Diverged runs count as ``+inf``; if every configuration diverged, the first key is returned.
    """
    if not runs:
        raise ValueError("runs: empty; need at least one configuration to select from")
    best_key, best_value = None, math.inf
    for key, entry in runs.items():
        value = mean_rambo_off(entry, key=key)
        if best_key is None or value < best_value:
            best_key, best_value = key, value
    return best_key  # type: ignore[return-value]


def rambo_off_from_run(run_dir: str | Path, window: int = Q_VAR_WINDOW) -> RamboOffTerms:
    """RAMBO-OFF terms of a finished (or stopped) co-training run, from its ``results.json``.

    Reads the ``q_history`` list (per-iteration average Q) written by the co-training runner; a
    run whose ``status`` is ``"diverged"`` gets ``+inf``.
    """
    path = Path(run_dir) / "results.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no results.json; is {run_dir} a co-training run folder?")
    try:
        results = read_json(path)
    except (OSError, ValueError) as err:  # was: a raw JSONDecodeError naming no file
        raise ValueError(
            f"{path}: damaged results.json (not readable JSON: {err}); restore it, or rerun the run"
        ) from None
    return rambo_off_from_results(results, window=window, source=str(path))


def rambo_off_from_results(
    results: Mapping[str, Any], window: int = Q_VAR_WINDOW, *, source: str = "results"
) -> RamboOffTerms:
    """RAMBO-OFF terms from a co-training results dict (the content of ``results.json``).

    Uses only the training log: ``q_history`` (per-iteration average Q; ``null`` = non-finite)
    and ``status`` (``"diverged"`` gets ``+inf``). ``source`` names the dict in errors.
    """
    # probe 58: a missing, null or string q_history (a hand-edited results.json) was a raw
    # "'NoneType' object is not iterable" / numpy "could not convert string to float"
    fix = "; restore that results.json, or rerun the run to write it again"
    if not isinstance(results, Mapping):
        raise ValueError(f"{source}: expected a results object (dict), got {_given(results)}{fix}")
    if "q_history" not in results:
        raise ValueError(f"{source}: field 'q_history' (the per-iteration average Q) missing{fix}")
    history = results["q_history"]
    name = f"{source}: field 'q_history'"
    q = _q_values(history, name, fix)
    status = results.get("status")
    if "status" in results and status not in RESULTS_STATUSES:
        # probe 63: a typo ('diverge', 'Diverged') scored as a finished run: a diverged
        # configuration became selectable by RAMBO-OFF (Sec. 4.3 / Table 6: diverged = "-")
        raise ValueError(
            f"{source}: field 'status': {_given(status)} is not one of "
            f"{', '.join(RESULTS_STATUSES)} (what cotrain writes){fix}"
        )
    if status == "diverged":  # the diverged iteration's Q is not in q_history
        # probe 60: a run that diverged at iteration 1 (empty history) also gets +inf (Table 6
        # "-", never selected), not the empty-history error: a resume of it is refused
        q = np.append(q, math.nan)
    if q.size == 0:
        raise ValueError(
            f"{name}: empty; the run logged no iteration's average Q: resume or rerun it so "
            "that it completes at least one iteration"
        )
    return rambo_off_terms(q, window=window)


def _given(value: Any) -> str:
    """``a str 'abc'`` / ``None``: what a caller passed, for an error."""
    if value is None:
        return "None"
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{with_article(type(value).__name__)} {text}"


def _q_values(history: Any, name: str, fix: str = "") -> np.ndarray:
    """``history`` (a list, tuple or 1-d numpy array of per-iteration average Q-values; None =
    non-finite) as a float64 array ``[n_iterations]``; one ValueError naming ``name`` and what
    was given otherwise (probe 58: a 2-d per-seed matrix was flattened, a scalar taken as one
    iteration, a string a raw numpy error). ``fix``: what to do, appended to the error."""
    expect = "a 1-d list of average Q-values, one per iteration (NaN / None: non-finite)"
    if isinstance(history, str | bytes) or is_real(history) or history is None:
        one = f" (for one iteration give [{history!r}])" if is_real(history) else ""
        raise ValueError(f"{name}: expected {expect}, got {_given(history)}{one}{fix}")
    if not isinstance(history, list | tuple):
        if not hasattr(history, "__array__"):  # a dict, a set, a generator
            raise ValueError(f"{name}: expected {expect}, got {_given(history)}{fix}")
        array = np.asarray(history)
        if array.ndim != 1:
            seeds = " (several runs: one history per call)" if array.ndim == 2 else ""
            raise ValueError(
                f"{name}: expected {expect}, got a {array.ndim}-d array of shape "
                f"{array.shape}{seeds}{fix}"
            )
        if array.dtype.kind not in "iuf":
            raise ValueError(f"{name}: expected {expect}, got an array of dtype {array.dtype}{fix}")
        return array.astype(np.float64)
    for i, item in enumerate(history):
        if item is not None and not is_real(item):
            nested = (
                " (a 2-d history? several runs: one history per call)"
                if isinstance(item, list | tuple) or getattr(item, "ndim", 0)
                else ""
            )
            raise ValueError(
                f"{name}: expected {expect}, got item {i} = {_given(item)}{nested}{fix}"
            )
    return np.array([math.nan if v is None else float(v) for v in history], dtype=np.float64)


def mean_rambo_off(
    entry: RamboOffTerms | float | Sequence[RamboOffTerms | float], *, key: Hashable = "runs"
) -> float:
    """Heuristic of one configuration over its seeds: the mean of ``Q_avg + Q_var`` (the brackets
    of Table 6), ``+inf`` if any seed diverged. ``key`` names the configuration in errors."""
    expect = "a heuristic value (a number) or RamboOffTerms, or a list of them (one per seed)"
    single = isinstance(entry, RamboOffTerms) or is_real(entry)
    if not single and not isinstance(entry, list | tuple | np.ndarray):
        # probe 58: a string was a raw "could not convert string to float", None "not iterable"
        raise ValueError(f"runs[{key!r}]: expected {expect}, got {_given(entry)}")
    items = [entry] if single else list(entry)
    if not items:
        raise ValueError(f"runs[{key!r}]: empty sequence of runs")
    values = []
    for i, item in enumerate(items):
        if not (isinstance(item, RamboOffTerms) or is_real(item)):
            raise ValueError(f"runs[{key!r}][{i}]: expected {expect}, got {_given(item)}")
        value = item.value if isinstance(item, RamboOffTerms) else float(item)
        if math.isnan(value):
            raise ValueError(
                f"runs[{key!r}][{i}]: heuristic value is NaN; use +inf for a diverged run"
            )
        values.append(value)
    return math.fsum(values) / len(values) if all(math.isfinite(v) for v in values) else math.inf
