"""Probe 90 row 24: an actor file for other action bounds, checked before any collection."""

from __future__ import annotations

import pytest
import torch

from rambo_env.data import generate as gen
from tests.data.data_helpers import save_random_actor
from tests.scripts import load_script

EXPERT = "expert_policy_path (--expert-policy)"


def _wide_bounds_actor(path, seed=1):
    """A hopper actor (dims right) whose recorded action bounds are ±1.5 (hopper's are ±1)."""
    save_random_actor(path, seed=seed)
    payload = torch.load(path, weights_only=True)
    payload["action_low"], payload["action_high"] = payload["action_low"] * 1.5, payload["action_high"] * 1.5  # fmt: skip
    torch.save(payload, path)
    return path


def test_an_actor_for_other_action_bounds_is_refused_before_collecting(tmp_path, monkeypatch):
    # probe 90 row 24: was "Minari dataset … not written … actions[300, 2] = 1.4125 is outside
    # the action space" only after both parts were collected, advice about the data
    monkeypatch.setattr(gen, "collect_episodes", pytest.fail)
    monkeypatch.setattr(gen, "collect_episodes_parallel", pytest.fail)
    medium = save_random_actor(tmp_path / "m.pt", seed=0)
    wide = _wide_bounds_actor(tmp_path / "wide.pt")
    for level, kwargs, arg in (
        ("medium-expert", {"policy_path": medium, "expert_policy_path": wide}, EXPERT),
        ("expert", {"expert_policy_path": wide}, EXPERT),
        ("medium", {"policy_path": wide}, "policy_path (--policy)"),
    ):
        with pytest.raises(ValueError) as err:
            gen.generate_dataset("hopper", level, n_transitions=300, progress=False, n_workers=1,
                                 **kwargs)  # fmt: skip
        text = str(err.value)
        assert text.startswith(f"{arg}: policy file {wide}: an actor for action bounds"), text
        assert "low [-1.5, -1.5, -1.5], high [1.5, 1.5, 1.5]" in text, text
        assert "low [-1.0, -1.0, -1.0], high [1.0, 1.0, 1.0]" in text, text
        assert "--train-policy" in text, text


def test_make_dataset_refuses_an_expert_policy_for_other_bounds_at_once(tmp_path, capsys, monkeypatch):  # fmt: skip
    monkeypatch.setattr(gen, "collect_episodes", pytest.fail)
    monkeypatch.setattr(gen, "collect_episodes_parallel", pytest.fail)
    wide = _wide_bounds_actor(tmp_path / "wide.pt")
    script = load_script("make_dataset")
    flags = ["--env", "hopper", "--level", "medium-expert", "--expert-policy", str(wide)]
    assert script.main([*flags, "--n-transitions", "300", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: expert_policy_path (--expert-policy): policy file "), err
    assert "action bounds" in err and "Traceback" not in err, err


def test_an_actor_for_the_env_bounds_still_loads(tmp_path):
    actor = gen.load_behaviour_policy(save_random_actor(tmp_path / "ok.pt"), "cpu", "Hopper-v5")
    assert actor.action_high.tolist() == [1.0, 1.0, 1.0]
