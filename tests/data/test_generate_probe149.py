"""Probe 149 row 5: with the wheel installed (no ``scripts/`` folder), a missing expert policy or
replay buffer named only ``scripts/make_dataset.py``; the error now names the library route too."""

from __future__ import annotations

import pytest

from rambo_env.data import DatasetUnavailableError
from rambo_env.data.generate import generate_dataset
from rambo_env.data.minari_io import minari_dataset_path


@pytest.mark.parametrize(
    ("env", "level", "route"),
    [
        ("walker2d", "expert", "generate_dataset('walker2d', 'expert', expert_policy_path=PATH)"),
        (
            "hopper",
            "medium-expert",
            "generate_dataset('hopper', 'medium-expert', expert_policy_path=",
        ),
        (
            "hopper",
            "medium-replay",
            "generate_dataset('hopper', 'medium-replay', replay_path=PATH)",
        ),
    ],
)
def test_the_missing_input_error_names_the_library_route(tmp_path, monkeypatch, env, level, route):
    monkeypatch.chdir(tmp_path)  # no behaviour_runs/ here
    with pytest.raises(DatasetUnavailableError) as info:
        generate_dataset(env, level, n_transitions=10, progress=False, n_workers=1)
    said = str(info.value)
    assert "scripts/make_dataset.py" in said  # the clone's route, kept
    assert "from Python (an installed package has no scripts/ folder: probe 149 row 5): " in said
    assert f"from rambo_env.data.generate import generate_dataset; {route}" in said, said
    assert not minari_dataset_path(f"rambo/{env}/{level}-v0").exists()
