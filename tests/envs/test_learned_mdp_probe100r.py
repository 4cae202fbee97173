"""Probe 100 row 33 (p100r): a ``LearnedMDP`` has a weights-only save / load path
(``mdp.save(path)`` / ``LearnedMDP.load(path, dataset)``, the model cache's format)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from rambo_env.model import LearnedMDP
from tests.envs.tiny_mdp import make_tiny_dataset


def test_save_then_load_in_another_process_gives_the_same_model(tiny_mdp, tiny_dataset, tmp_path):
    # probe 100 row 33: torch.save(mdp) then torch.load in another process was torch's
    # UnpicklingError advising an unsafe weights_only=False load; no save path was documented
    path = tiny_mdp.save(tmp_path / "mdp.pt")
    torch.load(path, weights_only=True)  # no pickled classes in it
    code = (
        "import sys, torch; from rambo_env.model import LearnedMDP; "
        "from tests.envs.tiny_mdp import make_tiny_dataset; "
        f"m = LearnedMDP.load({str(path)!r}, make_tiny_dataset(), device='cpu'); "
        "print(m.dataset_name, m.env_id, m.start_obs.shape[0])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["tiny-hopper", "Hopper-v5", str(tiny_dataset.n_transitions)]
    loaded = LearnedMDP.load(path, tiny_dataset, device="cpu")
    assert torch.equal(loaded.start_obs, tiny_mdp.start_obs.cpu())
    for a, b in zip(
        loaded.ensemble.state_dict().values(), tiny_mdp.ensemble.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b.cpu())
    assert np.array_equal(loaded.normalizer.mean, tiny_mdp.normalizer.mean)
    obs = tiny_mdp.start_obs[:5]
    assert torch.equal(loaded.terminated(obs.cpu()), tiny_mdp.terminated(obs).cpu())
    assert loaded.action_space == tiny_mdp.action_space


def test_load_with_other_data_is_refused(tiny_mdp, tmp_path):
    path = tiny_mdp.save(tmp_path / "mdp.pt")
    with pytest.raises(ValueError, match=r"dataset: 'tiny-hopper' is not the data .*tiny-hopper"):
        LearnedMDP.load(path, make_tiny_dataset(seed=5), device="cpu")
