"""Probe 77 (a real Jupyter kernel): what an interrupt leaves in a long-lived process, and a
config built before a module reload. The kernel's Interrupt is emulated by a KeyboardInterrupt
raised in-process (as the tests of probe 75)."""

from __future__ import annotations

import contextlib
import dataclasses
import warnings

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3.common.callbacks import BaseCallback, ProgressBarCallback
from tqdm import tqdm

from agents.factory import make_agent
from agents.vec_env import RamboModelVecEnv
from rambo_env import progress
from rambo_env.data.dataset import DatasetUnavailableError
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import MLEConfig, train_mle
from rambo_env.evaluation import evaluate_policy
from rambo_env.normalization import ObsNormalizer
from tests.agents.test_callback import N_ENVS, K, _toy
from tests.dynamics.test_mle_training import TINY, linear_dataset


def _bars(desc: str) -> list:
    return [b for b in list(tqdm._instances) if getattr(b, "desc", "") == desc]


def test_an_interrupted_mle_pretraining_closes_its_bar(monkeypatch):
    """Probe 77 row 5: was the 'MLE' bar left in tqdm's instances for the kernel's life (every
    later bar drawn nested, with cursor-up junk in a notebook)."""
    from rambo_env.dynamics import training

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # the kernel's Interrupt during an epoch

    monkeypatch.setattr(training, "_run_epoch", interrupted)
    data = linear_dataset(400)
    model = GaussianEnsemble(3, 2, TINY, generator=torch.Generator().manual_seed(0))
    with pytest.raises(KeyboardInterrupt) as info:
        train_mle(
            model, data, ObsNormalizer.from_dataset(data), MLEConfig(max_epochs=5), "cpu",
            progress=True, compile=False,
        )  # fmt: skip
    # the traceback kept, as a kernel keeps sys.last_traceback (it held the bar alive)
    assert info.tb is not None and not _bars("MLE")


class _InterruptAfter(BaseCallback):
    def __init__(self, steps: int) -> None:
        super().__init__()
        self.steps = steps

    def _on_step(self) -> bool:
        if self.num_timesteps >= self.steps:
            raise KeyboardInterrupt
        return True


def test_an_interrupted_learn_with_progress_bar_closes_sb3s_rich_bar():
    """Probe 77 row 9: README's agent.learn(..., progress_bar=True) interrupted left SB3's rich
    bar (a rich Live display) holding the kernel's output; the next run_cotrain died with a
    RecursionError at its co-training bar."""
    pytest.importorskip("rich")
    mdp, dataset = _toy()
    agent = make_agent(
        "sac", RamboModelVecEnv(mdp, N_ENVS, K, seed=0), dataset, mdp.normalizer,
        rollout_length=K, device="cpu", policy_kwargs={"net_arch": [8]},
    )  # fmt: skip
    with warnings.catch_warnings(), pytest.raises(KeyboardInterrupt):
        warnings.simplefilter("ignore")  # tqdm's "rich is experimental"
        agent.learn(K * N_ENVS * 50, callback=_InterruptAfter(K * N_ENVS), progress_bar=True)
    assert not progress.rich_bars()
    import rich

    assert not rich.get_console()._live_stack  # the display was stopped: output given back


def test_a_stale_rich_bar_is_stopped_before_a_project_bar(capsys):
    """Probe 77 row 9: a rich bar left by an agent outside the project's classes (or an older
    session) is stopped, with one note, before the project opens a bar of its own."""
    pytest.importorskip("rich")
    from tqdm.rich import tqdm_rich

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # held by SB3's ProgressBarCallback, never closed (probe 78 row 16: a bare rich bar is
        # the user's own now, left alone: tests/agents/test_interrupts_probe78.py)
        holder = ProgressBarCallback()
        holder.pbar = stale = tqdm_rich(total=10)
    assert progress.rich_bars() == [stale]
    with progress.progress_bar(total=3, desc="probe77", progress=True) as bar:
        bar.update(3)
    assert not progress.rich_bars()
    assert (
        "[rambo_env] note: stopped the rich progress bar of an interrupted"
        in capsys.readouterr().out
    )


def test_run_cotrain_stops_a_stale_rich_bar_first(tmp_path, capsys):
    """Probe 77 row 9: at run_cotrain's start (its setup ran whole, then the co-training bar
    died, leaving checkpoint.pt, config.json and tb/)."""
    pytest.importorskip("rich")
    from tqdm.rich import tqdm_rich

    from agents.cotrain import CotrainConfig, run_cotrain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        holder = ProgressBarCallback()  # kept alive, as SB3's callback keeps it (probe 78 row 16)
        holder.pbar = stale = tqdm_rich(total=10)
    with pytest.raises(DatasetUnavailableError):  # the setup's first step, after the stop
        run_cotrain(CotrainConfig(dataset=str(tmp_path / "none.npz")), tmp_path / "run")
    assert not progress.rich_bars() and stale.disable  # closed
    assert "[rambo_env] note: stopped the rich progress bar" in capsys.readouterr().out


def test_evaluate_policy_calls_are_not_taken_for_raw_observations():
    """Probe 77 row 8: README's evaluate_policy(lambda o: agent.predict(o, …)[0], env_id,
    agent.normalizer) normalises by itself, yet predict warned "the observations look raw …
    evaluate through NormalizedObservation" (states far outside a small dataset)."""
    mdp, dataset = _toy(loc=1.25, scale=0.2)  # data far from 0: the watch is on
    agent = make_agent(
        "sac", RamboModelVecEnv(mdp, N_ENVS, K, seed=0), dataset, mdp.normalizer,
        rollout_length=K, device="cpu", policy_kwargs={"net_arch": [8]},
    )  # fmt: skip
    norm = mdp.normalizer
    # raw states whose z-scores lie at the data's raw scale (as a falling hopper's)
    state = (norm.mean + norm.mean * norm.std).astype(np.float32)

    class Far(gym.Env):
        observation_space = gym.spaces.Box(-np.inf, np.inf, (3,), np.float32)
        action_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)

        def reset(self, *, seed=None, options=None):
            super().reset(seed=seed)
            self.t = 0
            return state.copy(), {}

        def step(self, action):
            self.t += 1
            return state.copy(), 1.0, False, self.t >= 40, {}

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate_policy(lambda o: agent.predict(o, deterministic=True)[0], Far, norm, n_episodes=2)
    assert not [w for w in caught if "look raw" in str(w.message)]
    with warnings.catch_warnings(record=True) as caught:  # genuinely raw: still said
        warnings.simplefilter("always")
        for row in dataset.observations[:50]:
            agent.predict(row, deterministic=True)
    assert [w for w in caught if "look raw" in str(w.message)]


def test_a_config_from_before_a_reload_is_named_so(tmp_path):
    """Probe 77 row 19: after importlib.reload(agents.cotrain) a cfg built before was refused
    with "cfg: expected an agents.cotrain.CotrainConfig, got CotrainConfig"."""
    from agents.cotrain import CotrainConfig, run_cotrain

    # the class of before the reload: same module and name, another class object
    old_class = dataclasses.make_dataclass("CotrainConfig", [("dataset", str)])
    old_class.__module__ = CotrainConfig.__module__
    with pytest.raises(ValueError) as info:
        run_cotrain(old_class(dataset="hopper-medium"), tmp_path / "run")
    said = str(info.value)
    assert f"from an earlier import of {CotrainConfig.__module__}" in said
    assert "importlib.reload" in said and "CotrainConfig(**dataclasses.asdict(cfg))" in said
    assert not tmp_path.joinpath("run").exists()
    with pytest.raises(ValueError, match=r"got dict \(CotrainConfig"):  # other types: as before
        run_cotrain({"dataset": "hopper-medium"}, tmp_path / "run")


def test_an_interrupt_swallowed_in_a_weakref_callback_stops_the_run_later(capfd):
    """Probe 77 row 15: a press during the first torch.compile raised its KeyboardInterrupt inside
    a weakref callback of torch's ("Exception ignored in: …"), and the run trained to its end."""
    import os
    import signal
    import types
    import weakref

    from agents.run_callbacks import RunMonitorCallback
    from rambo_env import run_io

    class Thing:
        pass

    # Python's own SIGINT handler, whatever an earlier test of the session left installed
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    with contextlib.ExitStack() as stack:
        stack.callback(signal.signal, signal.SIGINT, previous)
        stack.enter_context(run_io.swallowed_interrupt_kept())
        thing = Thing()
        ref = weakref.ref(thing, lambda _: os.kill(os.getpid(), signal.SIGINT))
        del thing  # the callback runs; the signal's KeyboardInterrupt is raised in it, and dropped
        assert ref() is None
        monitor = types.SimpleNamespace(_stop=False)
        with pytest.raises(KeyboardInterrupt):
            RunMonitorCallback._on_step(monitor)  # the next co-training step
        assert RunMonitorCallback._on_step(monitor) is True  # raised once
    assert "a Ctrl-C / Interrupt was swallowed inside torch" in capfd.readouterr().out
    assert signal.getsignal(signal.SIGINT) is previous  # put back
