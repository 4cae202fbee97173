"""Probe 79: a recorded run whose real share was refused after it started (row 25), and the
sweep's own wording for λ = 0 (row 33)."""

from __future__ import annotations

import pytest

from agents.cotrain import CotrainConfig, load_config
from agents.cotrain_setup import config_to_dict
from agents.sweep import SweepSpec
from rambo_env.presets import RamboPreset
from rambo_env.run_io import write_json


def test_a_recorded_run_of_an_all_real_share_loads_with_a_warning(tmp_path, capsys):
    # probe 79 row 25: was "real_ratio: 0.999 at batch_size 256 … give real_ratio <= 0.996":
    # load_config / load_session / diagnose refused the run, --resume gave advice it refuses
    saved = config_to_dict(CotrainConfig(n_iterations=2, precision="fp32"))
    saved.update(real_ratio=0.999, adversary_weight=3e-4)
    write_json(tmp_path / "config.json", {"config": saved})
    capsys.readouterr()
    cfg = load_config(tmp_path)
    said = capsys.readouterr().out
    assert cfg.real_ratio == 0.999 and cfg.adversary_weight == 3e-4
    assert said.count("WARNING") == 1 and "trained on real rows only" in said
    assert "never reached the agent" in said and "rerun it in a new folder" in said
    with pytest.raises(ValueError, match=r"config.json: real_ratio 0.999 .* cannot be resumed"):
        load_config(tmp_path, resume=True)
    assert "WARNING" not in capsys.readouterr().out  # one message: the refusal
    with pytest.raises(ValueError, match=r"give real_ratio <= 0.996"):  # a new run: refused
        CotrainConfig(real_ratio=0.999)


def test_a_sweep_all_real_base_names_the_sweeps_own_flag():
    # probe 79 row 33: was "… or --lam 0 for a run on the real data alone" (sweep.py has no --lam)
    with pytest.raises(ValueError, match=r"or --configs 2:0 for a run on the real data alone"):
        SweepSpec(
            datasets=("hopper-medium",),
            configs=(RamboPreset(2, 3e-4), RamboPreset(2, 0.0)),
            seeds=(0,),
            base=CotrainConfig(dataset="hopper-medium", real_ratio=1.0),
        )
