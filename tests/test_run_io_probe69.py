"""Probe 69a: environment variables and ledger.standing's arguments (adjacent cases)."""

from __future__ import annotations

import pytest

from rambo_env import run_io
from rambo_env.dynamics import io as dynamics_io
from rambo_env.ledger import standing
from rambo_env.presets import RamboPreset


def test_home_with_a_quoted_tilde_or_a_relative_path(monkeypatch, tmp_path, capsys):
    """Rows 16-17: ``HOME='~'`` was pathlib's raw "Could not determine home directory"; a
    relative HOME left the model cache relative while the Minari root was made absolute."""
    monkeypatch.delenv("RAMBO_ENV_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "~")
    with pytest.raises(ValueError, match=r"^HOME='~' begins with '~', which is not expanded"):
        dynamics_io.cache_dir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", "relhome")
    folder = dynamics_io.cache_dir()
    assert folder == tmp_path / "relhome" / ".cache" / "rambo_env" and folder.is_absolute()
    assert "HOME=relhome is a relative path" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["²", "１", "1.5", "-2"])
def test_omp_num_threads_takes_ascii_digits_only(monkeypatch, value):
    """Rows 22-23: '²' passed isdigit() and was int()'s raw error; '１' was taken as 1."""
    monkeypatch.setenv("OMP_NUM_THREADS", value)
    _, why = run_io.resolve_torch_threads(None)
    assert f"OMP_NUM_THREADS={value!r} is not a positive int: ignored" in why


def test_standing_names_a_config_tuple_a_non_flag_and_a_case_twin(tmp_path, capsys, monkeypatch):
    """Rows 55, 56, 58: ``config=(5, 0.0)`` was a raw AttributeError; ``critic_layer_norm='yes'``
    returned None; 'Hopper-Medium' returned None without a word beside a 'hopper-medium' run."""
    with pytest.raises(ValueError, match=r"^config: expected a RamboPreset"):
        standing("hopper-medium", "sac", (5, 0.0), 1, tmp_path)
    with pytest.raises(ValueError, match=r"critic_layer_norm"):
        standing("hopper-medium", "sac", RamboPreset(5, 0.0), 1, tmp_path, critic_layer_norm="yes")
    from rambo_env import ledger

    entry = type("E", (), {"dataset": "hopper-medium"})()
    monkeypatch.setattr(ledger, "read_index", lambda ledger_dir: {"x": entry})
    assert standing("Hopper-Medium", "sac", RamboPreset(5, 0.0), 1, tmp_path) is None
    assert "no run of 'Hopper-Medium', but of 'hopper-medium'" in capsys.readouterr().out
