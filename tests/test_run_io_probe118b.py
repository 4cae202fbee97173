"""Probe 118 (the library embedded in a long-lived process), rows 8-11 and 13: the library entry
points check the caller's output streams before their work, as run_cotrain does (a closed, a
broken-pipe or a write-only ``sys.stdout`` was a raw error at the first note, make_mdp's after the
model was trained and cached; ``sys.stderr = None`` with the default bars was tqdm's raw
AttributeError), and a caller's ``np.seterr(all="raise")`` no longer breaks them (the loader's
float16 rounding was ``FloatingPointError: underflow encountered in cast``)."""

from __future__ import annotations

import io
import os
import sys
import warnings

import numpy as np
import pytest

import rambo_env
from rambo_env import run_io
from rambo_env.dynamics.ensemble import EnsembleConfig
from rambo_env.dynamics.training import MLEConfig
from tests.agents.test_cotrain import tiny_hopper  # noqa: F401 (fixture)

TINY = {
    "ensemble_config": EnsembleConfig(
        n_members=3, n_elites=2, hidden_dims=(8, 8), weight_decays=(0, 0, 0)
    ),
    "mle_config": MLEConfig(max_epochs=1, max_holdout=20),
}


class _BrokenPipe(io.TextIOBase):
    """A stdout whose reader is gone: every write raises BrokenPipeError."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


class _WriteOnly:
    """A "StreamToLogger": write() only."""

    def write(self, text):
        return len(text)


def _closed():
    stream = io.StringIO()
    stream.close()
    return stream


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (_closed, r"sys\.stdout: closed, but load_dataset prints its notes there"),
        (_BrokenPipe, r"sys\.stdout: it cannot be written \(BrokenPipeError"),
        (_WriteOnly, r"sys\.stdout: _WriteOnly has no flush\(\), but load_dataset prints"),
    ],
)
def test_load_dataset_refuses_an_unusable_stdout_in_one_line(tiny_hopper, monkeypatch, make, said):  # noqa: F811
    monkeypatch.setattr(sys, "stdout", make())
    with pytest.raises(ValueError, match=said + r".*io\.StringIO collects the lines"):
        rambo_env.load_dataset(tiny_hopper, progress=False)


def test_make_mdp_refuses_a_broken_stdout_before_training(tiny_hopper, tmp_path, monkeypatch):  # noqa: F811
    dataset = rambo_env.load_dataset(tiny_hopper, progress=False)
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "stdout", _BrokenPipe())
    with pytest.raises(ValueError, match=r"^sys\.stdout: .* make_mdp prints its notes"):
        rambo_env.make_mdp(dataset, progress=False, **TINY)
    assert not (tmp_path / "cache").exists()  # was: trained and cached, then the raw error


def test_a_stdout_of_none_drops_the_notes(tiny_hopper, monkeypatch):  # noqa: F811
    monkeypatch.setattr(sys, "stdout", None)  # pythonw: print() writes nothing
    assert rambo_env.load_dataset(tiny_hopper, progress=False).n_transitions == 300


def test_stderr_none_turns_the_bars_off_with_a_note(tiny_hopper, monkeypatch, capsys):  # noqa: F811
    dataset = rambo_env.load_dataset(tiny_hopper, progress=False)
    monkeypatch.setattr(sys, "stderr", None)  # pythonw / a service; progress=True by default
    mdp = rambo_env.make_mdp(dataset, cache=False, **TINY)
    assert mdp.normalizer is not None
    assert "make_mdp: progress bars off: sys.stderr (where they go): None" in (
        capsys.readouterr().out
    )


def test_generate_dataset_with_stderr_none(monkeypatch, capsys):
    from rambo_env.data.generate import generate_dataset

    monkeypatch.setattr(sys, "stderr", None)
    data = generate_dataset("hopper", "random", n_transitions=200, n_workers=1)
    assert data.n_transitions == 200
    assert "generate_dataset: progress bars off" in capsys.readouterr().out


@pytest.mark.skipif(not hasattr(os, "pipe") or sys.platform == "win32", reason="POSIX pipes")
def test_a_pipe_whose_reader_exited_is_refused_before_the_work(tiny_hopper, monkeypatch):  # noqa: F811
    read, write = os.pipe()
    os.close(read)  # the log reader died
    with open(write, "w") as pipe:
        monkeypatch.setattr(sys, "stdout", pipe)
        with pytest.raises(ValueError, match=r"a pipe or socket whose reader is gone"):
            rambo_env.load_dataset(tiny_hopper, progress=False)
        monkeypatch.undo()


def test_the_callers_numpy_error_mode_does_not_break_the_library(tiny_hopper, tmp_path):  # noqa: F811
    """Row 13, also for float64 data with a value below float32's range (its cast underflows)."""
    arrays = dict(np.load(tiny_hopper))
    for key in ("observations", "next_observations", "actions", "rewards"):
        arrays[key] = arrays[key].astype(np.float64)
        arrays[key].flat[5] = 1e-300
    np.savez(tmp_path / "f64.npz", **arrays)
    before = np.geterr()
    np.seterr(all="raise")
    try:
        for path in (tiny_hopper, tmp_path / "f64.npz"):
            dataset = rambo_env.load_dataset(path, progress=False)
        mdp = rambo_env.make_mdp(dataset, cache=False, progress=False, **TINY)
        obs, _ = rambo_env.RamboModelEnv(mdp=mdp).reset(seed=0)
        assert np.geterr()["under"] == "raise"  # the caller's mode is back after each call
    finally:
        np.seterr(**before)
    assert obs.shape == (11,)


def test_warn_each_time_shows_every_call_and_honours_the_filters():
    """Rows 14-15's helper: Python's default action said a warning once per code line."""

    def warn():
        run_io.warn_each_time("probe118b: per object", stacklevel=2)

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        for _ in range(3):
            warn()  # one line: the registry kept the 2nd and 3rd away
    assert len(seen) == 3 and seen[0].filename == __file__
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        warnings.filterwarnings("ignore", message="probe118b")
        warn()
    assert not seen
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="probe118b"):
        warnings.simplefilter("error")
        warn()
