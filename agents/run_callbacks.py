"""SB3 callback that manages a co-training run: evaluation, logging, checkpoints, divergence stop.

One RAMBO iteration (Alg. 1 lines 3-5) is one SB3 collect (a k-step model rollout) followed by
one ``train`` (the agent's gradient steps); :class:`agents.callback.RamboCallback` runs the
adversary's updates for the finished iteration in ``_on_rollout_start``. This callback is placed
*after* it in the ``CallbackList``, so when it sees a new ``_n_updates`` count in
``_on_rollout_start`` the iteration — agent and adversary phases — is complete, and it:

1. measures the average Q-value (RAMBO-OFF's input, App. B.5) and stops the run if it diverged;
2. evaluates the policy in the real env on schedule (App. B.6);
3. records everything through SB3's logger and dumps one TensorBoard row per iteration;
4. writes an (atomic) checkpoint through ``save_fn``.

The final iteration ends in ``_on_training_end`` (no further collect). SB3 ignores the return
value of ``on_rollout_start``, so a stop decided there takes effect at the next ``_on_step``.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from rambo_env.progress import LineBar, is_terminal
from rambo_env.requirements import import_dependency
from rambo_env.run_io import (
    check_state_dict,
    interrupts_deferred,
    is_int,
    is_real,
    items_of,
    python_fields,
    raise_swallowed_interrupt,
    user_stacklevel,
    warn_each_time,
)

__all__ = ["EvalSchedule", "RunHistory", "RunMonitorCallback"]


@dataclass(frozen=True)
class EvalSchedule:
    """When to evaluate: every ``every`` iterations and every iteration of the last ``last`` (App. B.6),
    and always the last iteration (probe 36: ``every=2, last=0`` of 3 iterations reported iteration
    2's score as the final policy's)."""

    n_iterations: int
    every: int = 10
    last: int = 10

    def __post_init__(self) -> None:
        python_fields(self)  # probe 61: numpy numbers are stored (and reach JSON) as Python ones
        # probe 61: '3' / None were raw TypeErrors; every=2.5 (due() at odd multiples never) and
        # n_iterations=nan were accepted
        for name, low in (("n_iterations", 1), ("every", 1), ("last", 0)):
            value = getattr(self, name)
            if not is_int(value) or value < low:
                raise ValueError(f"EvalSchedule.{name}: expected an int >= {low}, got {value!r}")

    def due(self, iteration: int) -> bool:
        """True if the policy after ``iteration`` (1-based; 0 = before co-training) is evaluated."""
        return (
            iteration % self.every == 0
            or iteration > self.n_iterations - self.last
            or iteration == self.n_iterations
        )


@dataclass
class RunHistory:
    """Everything a run has measured so far; saved in every checkpoint and in results.json."""

    iteration: int = 0
    """Iterations completed (agent and adversary phases)."""
    q_history: list[float] = field(default_factory=list)
    """Average Q-value at the end of each iteration (App. B.5)."""
    evals: list[dict[str, Any]] = field(default_factory=list)
    """One entry per evaluation: iteration, return mean/std, normalised score, ..."""
    iteration_s: list[float] = field(default_factory=list)
    """Wall time of each iteration (rollout + agent + adversary), excluding evaluation."""
    wall_s: float = 0.0
    """Wall time spent in co-training over all sessions (excluding model pretraining)."""
    suspended: list[int] = field(default_factory=list)
    """The iterations during which the process was stopped (SIGSTOP / Ctrl-Z, then SIGCONT):
    their ``iteration_s`` includes the stop, so the time estimates leave them out."""

    def state_dict(self) -> dict[str, Any]:
        return {
            "iteration": self.iteration,
            "q_history": list(self.q_history),
            "evals": [dict(e) for e in self.evals],
            "iteration_s": list(self.iteration_s),
            "wall_s": self.wall_s,
            "suspended": list(self.suspended),
        }

    def timed(self, start: int = 0) -> list[float]:
        """``iteration_s`` from its ``start``-th entry on, without the suspended iterations."""
        return [
            t
            for i, t in enumerate(self.iteration_s[start:], start=start + 1)
            if i not in self.suspended
        ]

    @classmethod
    def from_state_dict(cls, state: dict[str, Any]) -> RunHistory:
        # probe 61: {} was a bare KeyError 'iteration'; probe 108 row 10: checkpoints written
        # before "suspended" was saved have none
        if isinstance(state, dict) and "suspended" not in state:
            state = {**state, "suspended": []}
        check_state_dict(state, [f.name for f in fields(cls)], "RunHistory")
        # probe 69 rows 14 / 15: iteration '2', q_history 'ab', wall_s 'x' were taken without a
        # word, and the history kept the caller's own lists (state_dict() copies; so does this)
        hint = "fix the value (RunHistory.state_dict() gives one; a hand-edited state?)"
        iteration, wall_s = state["iteration"], state["wall_s"]
        if not is_int(iteration) or iteration < 0:
            raise ValueError(
                f"RunHistory.iteration: expected an int >= 0, got {iteration!r} "
                f"({type(iteration).__name__}); {hint}"
            )
        if not is_real(wall_s) or not 0 <= wall_s < math.inf:
            raise ValueError(
                f"RunHistory.wall_s: expected a finite number of seconds >= 0, got {wall_s!r} "
                f"({type(wall_s).__name__}); {hint}"
            )
        try:
            lists = {
                name: list(
                    items_of(state[name], f"RunHistory.{name}", "a list of numbers", is_real)
                )
                for name in ("q_history", "iteration_s")
            }
            is_dict = lambda e: isinstance(e, dict)  # noqa: E731
            evals = items_of(state["evals"], "RunHistory.evals", "a list of dicts", is_dict)
            is_iteration = lambda i: is_int(i) and 1 <= i <= iteration  # noqa: E731
            suspended = items_of(
                state["suspended"],
                "RunHistory.suspended",
                "a list of iteration numbers",
                is_iteration,
            )
        except ValueError as err:
            raise ValueError(f"{err}; {hint}") from None
        return cls(
            iteration=int(iteration),
            evals=[dict(e) for e in evals],
            wall_s=float(wall_s),
            suspended=[int(i) for i in suspended],
            **lists,
        )


def _check_monitor_args(
    history: Any, n_iterations: Any, schedule: Any, q_limit: Any, q_warn: Any
) -> None:
    """RunMonitorCallback's own arguments, each refused by name (probe 61: q_limit NaN turned the
    divergence stop off, -1 stopped every iteration, schedule=None failed at the first
    evaluation, an n_iterations other than the schedule's evaluated the wrong "last" iterations;
    all without a word)."""
    if not isinstance(history, RunHistory):
        raise ValueError(f"history: expected a RunHistory, got {type(history).__name__}")
    if not isinstance(schedule, EvalSchedule):
        raise ValueError(
            f"schedule: expected an EvalSchedule, got {type(schedule).__name__} (e.g. "
            "EvalSchedule(n_iterations))"
        )
    if not is_int(n_iterations) or n_iterations < 1:
        raise ValueError(f"n_iterations: expected an int >= 1, got {n_iterations!r}")
    if n_iterations != schedule.n_iterations:
        raise ValueError(
            f"n_iterations: {n_iterations}, but the schedule is for {schedule.n_iterations} "
            "iterations (its last ones are evaluated); give both the same"
        )
    if not is_real(q_limit) or not q_limit > 0:
        raise ValueError(
            f"q_limit: expected a number > 0 (|average Q| above it stops the run; inf never "
            f"stops), got {q_limit!r}"
        )
    if q_warn is not None and (not is_real(q_warn) or math.isnan(q_warn)):
        raise ValueError(f"q_warn: expected a number or None, got {q_warn!r}")


class RunMonitorCallback(BaseCallback):
    """Per-iteration bookkeeping of a co-training run (see the module docstring).

    :param history: the run's history (continued in place on resume).
    :param n_iterations: total iterations of the run.
    :param q_fn: ``() -> float`` average Q-value of the current critic on a training batch.
    :param evaluate_fn: ``(iteration) -> dict`` with at least ``return_mean`` and ``normalized_score``;
        None disables evaluation (no real env).
    :param save_fn: ``(history) -> None`` writes the checkpoint (called only for healthy iterations).
    :param schedule: evaluation schedule.
    :param q_limit: the run stops when ``|avg Q| > q_limit`` or avg Q is not finite.
    :param q_warn: warn once (the first iteration, resume-safe) when avg Q exceeds this: no policy
        can earn more than ``max|r| / (1 - γ)``, so a larger average Q is over-estimation (the
        value divergence of Table 6's "—" runs starts like this). None = never warn.
    :param stop_at_iteration: stop (as if killed) after this iteration's checkpoint; None = never.
    :param progress: show a tqdm bar with one tick per iteration.
    :param start_records: scalars logged at iteration 0 of a fresh run (e.g. MLE pretraining).
    :param on_iteration: ``(metrics) -> None`` after each checkpointed iteration (e.g. Ray Tune's
        report): iteration, q_avg, iteration_s, and the evaluation's fields if one ran.
    """

    def __init__(
        self,
        history: RunHistory,
        n_iterations: int,
        q_fn: Callable[[], float],
        evaluate_fn: Callable[[int], dict[str, Any]] | None,
        save_fn: Callable[[RunHistory], None],
        schedule: EvalSchedule,
        q_limit: float,
        q_warn: float | None = None,
        stop_at_iteration: int | None = None,
        progress: bool = True,
        start_records: dict[str, float] | None = None,
        on_iteration: Callable[[dict[str, Any]], None] | None = None,
        verbose: int = 0,
    ) -> None:
        super().__init__(verbose)
        _check_monitor_args(history, n_iterations, schedule, q_limit, q_warn)
        self.history = history
        self.n_iterations = n_iterations
        self.q_fn, self.evaluate_fn, self.save_fn = q_fn, evaluate_fn, save_fn
        self.schedule, self.q_limit, self.q_warn = schedule, q_limit, q_warn
        self.stop_at_iteration = stop_at_iteration
        self.progress = progress
        self.start_records = dict(start_records or {})
        self.on_iteration = on_iteration
        self.status = "running"
        """``running`` -> ``finished`` | ``stopped`` (stop_at_iteration) | ``diverged`` | ``interrupted``."""
        self.diverged_at: dict[str, Any] | None = None
        """Where a ``diverged`` run stopped: ``iteration`` and ``q_avg`` / ``q_limit``, or the
        model's ``reason`` (results.json; a ``--resume`` that would repeat it is refused)."""
        self.message = ""
        self._stop = False
        self._updates_seen = 0
        self._t_iter = 0.0
        self._t_mark = 0.0
        self._bar: Any = None
        self._held: contextlib.ExitStack | None = None  # the iteration's held signals
        self._continued = False
        self._holding = False  # signals are held (hold_interrupts)
        self._landed = False  # its checkpoint was renamed into place (checkpoint_landed)

    # -- SB3 hooks ---------------------------------------------------------------------------
    def _on_training_start(self) -> None:
        self._updates_seen = self.model._n_updates
        self._t_iter = self._t_mark = time.perf_counter()
        if self.progress and not is_terminal(sys.stderr):  # a log file: a line per iteration
            self._bar = LineBar(self.n_iterations, self.history.iteration, "co-training")
        elif self.progress:
            tqdm = import_dependency("tqdm.auto").tqdm  # probe 114b: a broken install named
            self._bar = tqdm(
                total=self.n_iterations,
                initial=self.history.iteration,
                desc="co-training",
                unit="it",
                dynamic_ncols=True,
            )
        if self.history.iteration == 0:  # fresh run: pretraining stats, warm-started policy
            for key, value in self.start_records.items():
                self.logger.record(key, value)
            if self.history.evals:
                self._record_eval(self.history.evals[-1])
            self.logger.dump(step=0)

    def _on_rollout_start(self) -> None:
        self._maybe_finish_iteration()

    def _on_step(self) -> bool:
        raise_swallowed_interrupt()  # probe 77 row 15: was lost, the run trained on
        return not self._stop

    def _on_training_end(self) -> None:
        self._maybe_finish_iteration()
        self._add_wall_time()
        if self.status == "running":
            done = self.history.iteration >= self.n_iterations
            self.status = "finished" if done else "stopped"
        if self._bar is not None:
            self._bar.close()

    # -- one iteration -----------------------------------------------------------------------
    def _maybe_finish_iteration(self) -> None:
        if self._stop or self.model._n_updates <= self._updates_seen:
            return  # first collect of a session, or already stopping
        self._updates_seen = self.model._n_updates
        iteration = self.history.iteration + 1
        iteration_s = time.perf_counter() - self._t_iter
        suspended, self._continued = self._continued, False
        q_avg = float(self.q_fn())
        if not math.isfinite(q_avg) or abs(q_avg) > self.q_limit:
            self._diverge(iteration, q_avg)
            return
        self._maybe_warn(iteration, q_avg)
        before = self.history.state_dict()
        # Probe 106 rows 3, 9, 14, 17: a Ctrl-C / SIGTERM that landed after the checkpoint's
        # rename (in after_save's results.json write) restored the history as if the checkpoint
        # had never been written: "the checkpoint of iteration 2 is kept" and results.json 2
        # while checkpoint.pt held iteration 3, whose TensorBoard row was lost. The iteration
        # is done once its checkpoint is in place: from its rename (hold_interrupts, called by
        # save_fn) to its TensorBoard row, a signal is held and raised after them.
        self._held, self._holding, self._landed = contextlib.ExitStack(), False, False
        with self._held:
            try:
                self.history.iteration = iteration
                self.history.q_history.append(q_avg)
                self.history.iteration_s.append(iteration_s)
                # probe 106 row 8: a 25 s stop counted as a 33 s iteration; probe 108 row 10:
                # saved with the checkpoint, so that a resumed session's estimate leaves it out
                if suspended:
                    self.history.suspended.append(iteration)
                if self.evaluate_fn is not None and self.schedule.due(iteration):
                    self._evaluate(iteration)
                self._add_wall_time()  # the checkpoint carries the wall time up to this iteration
                self.save_fn(self.history)
            except BaseException:
                # probe 28: Ctrl-C during the evaluation (or the checkpoint write) left the
                # history one iteration ahead of the checkpoint: "the checkpoint of iteration 1
                # is kept" and results.json's iterations_completed 1, while checkpoint.pt held
                # iteration 0 (and --resume ran iteration 1 again). The history is what the
                # checkpoint holds.
                if not self._landed:
                    self._restore_history(before)
                raise
            self._landed = True  # save_fn returned: its checkpoint is in place
            self.hold_interrupts()  # a save_fn that does not call it: held from here
            # TensorBoard after the checkpoint: a kill between the two loses this row's log,
            # never logs an iteration twice (a resumed run continues after the checkpointed one).
            self._dump(iteration, iteration_s)
            last = iteration >= self.n_iterations  # the run is finished, not stopped
            if (
                self.stop_at_iteration is not None
                and iteration >= self.stop_at_iteration
                and not last
            ):
                self._stop, self.status = True, "stopped"
                self.message = f"stopped after iteration {iteration} (stop_at_iteration)"
        self._held = None
        if self.on_iteration is not None:
            evals = self.history.evals
            latest = evals[-1] if evals and evals[-1]["iteration"] == iteration else {}
            self.on_iteration(
                {**latest, "iteration": iteration, "q_avg": q_avg, "iteration_s": iteration_s}
            )
        self._t_iter = time.perf_counter()

    def continued(self) -> None:
        """The process was stopped and continued (its SIGCONT): the current iteration's wall time
        includes the stop (it goes to :attr:`RunHistory.suspended`)."""
        self._continued = True

    def hold_interrupts(self) -> None:
        """Hold Ctrl-C / SIGTERM from here to the end of the iteration's bookkeeping (its
        checkpoint's rename, results.json, its TensorBoard row), then raise it: ``save_fn``
        calls it just before the checkpoint's rename; a no-op outside an iteration or when held."""
        if self._held is None or self._holding:
            return
        self._held.enter_context(
            interrupts_deferred(
                "cotrain",
                f"right after iteration {self.history.iteration}'s checkpoint: its results and "
                "TensorBoard row were written first; stopping now",
                reraise=True,
            )
        )
        self._holding = True

    def checkpoint_landed(self) -> None:
        """``save_fn`` says its checkpoint was renamed into place: the iteration is done even
        when what ``save_fn`` does after fails (the history is kept, not restored)."""
        if self._held is not None:
            self._landed = True

    def _restore_history(self, state: dict[str, Any]) -> None:
        """Put the history back, in place, to ``state`` (:meth:`RunHistory.state_dict`)."""
        restored = RunHistory.from_state_dict(state)
        for f in fields(RunHistory):
            setattr(self.history, f.name, getattr(restored, f.name))

    def _maybe_warn(self, iteration: int, q_avg: float) -> None:
        if self.q_warn is None or q_avg <= self.q_warn:
            return
        if any(q > self.q_warn for q in self.history.q_history):
            return  # warned already (also across a resume: the history is checkpointed)
        warn_each_time(
            f"iteration {iteration}: average Q = {q_avg:.4g} exceeds max|r| / (1 - γ) = "
            f"{self.q_warn:.4g}, the most any policy can earn: the critic over-estimates. If Q "
            f"keeps growing the run is diverging (a larger adversary weight λ, a shorter rollout "
            f"k or a better-trained model are the levers; paper Table 6).",
            stacklevel=user_stacklevel(),
        )

    def interrupt(self, cause: str | None = None) -> None:
        """Record a KeyboardInterrupt (the last checkpoint stays valid for resuming); ``cause``:
        what stopped the run when it was not a signal (e.g. stdout's reader exited)."""
        self.status = "interrupted"
        by = f" ({cause})" if cause else ""
        self.message = (
            f"interrupted{by}; the checkpoint of iteration {self.history.iteration} is kept"
        )
        if self._bar is not None:
            self._bar.close()

    def close_bar(self) -> None:
        """Close the co-training bar (kept on none of the ways out of ``learn``)."""
        if self._bar is not None:
            self._bar.close()

    def model_diverged(self, reason: str) -> None:
        """Record a dynamics model that became non-finite during an iteration: ``diverged``, the
        last good checkpoint is kept (the broken model is never saved)."""
        self._stop, self.status = True, "diverged"
        self.diverged_at = {"iteration": self.history.iteration + 1, "reason": reason}
        self.message = (
            f"iteration {self.history.iteration + 1}: {reason}; stopped the run and kept the last "
            f"good checkpoint (iteration {self.history.iteration})."
        )
        if self._bar is not None:
            self._bar.close()

    def _add_wall_time(self) -> None:
        now = time.perf_counter()
        self.history.wall_s += now - self._t_mark
        self._t_mark = now

    def _evaluate(self, iteration: int) -> None:
        t0 = time.perf_counter()
        result = dict(self.evaluate_fn(iteration))  # type: ignore[misc]
        result = {"iteration": iteration, **result, "eval_s": time.perf_counter() - t0}
        self.history.evals.append(result)
        self._record_eval(result)

    def _record_eval(self, result: dict[str, Any]) -> None:
        self.logger.record("eval/return_mean", result["return_mean"])
        if result.get("return_std") is not None:
            self.logger.record("eval/return_std", result["return_std"])
        if result.get("normalized_score") is not None:
            self.logger.record("eval/normalized_score", result["normalized_score"])
        if result.get("eval_s") is not None:
            self.logger.record("time/eval_s", result["eval_s"])

    def _dump(self, iteration: int, iteration_s: float) -> None:
        self.logger.record("time/iterations", iteration)
        self.logger.record("time/iteration_s", iteration_s)
        self.logger.record("time/agent_updates", self.model._n_updates)
        self.logger.dump(step=iteration)
        if self._bar is not None:
            postfix = {"Q": f"{self.history.q_history[-1]:.1f}"}
            if self.history.evals:
                last = self.history.evals[-1]
                value = last.get("normalized_score")
                key, value = (
                    ("score", value) if value is not None else ("return", last["return_mean"])
                )
                postfix[key] = f"{value:.1f}"
            self._bar.set_postfix(postfix, refresh=False)
            self._bar.update(1)

    def _diverge(self, iteration: int, q_avg: float) -> None:
        self._stop, self.status = True, "diverged"
        kept = self.history.iteration
        self.diverged_at = {"iteration": iteration, "q_avg": q_avg, "q_limit": self.q_limit}
        self.message = (
            f"Q-values diverged at iteration {iteration}: average Q = {q_avg:.4g} "
            f"(limit |Q| <= {self.q_limit:.4g}); stopped the run and kept the last good checkpoint "
            f"(iteration {kept})."
        )
        self.logger.dump(step=iteration)
