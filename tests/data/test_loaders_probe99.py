"""Probe 99 row 7: an npz's recorded time limit beyond the steps taken was said to be Minari's."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.loaders import load_dataset
from tests.data.data_helpers import make_arrays


@pytest.mark.parametrize("limit", [10**9, 2**63])
def test_an_npz_time_limit_beyond_the_steps_taken_names_its_metadata_json(tmp_path, limit):
    # probe 99 row 7: was "max_episode_steps=1000000000 (Minari's env_spec), beyond …"
    path = tmp_path / "tl.npz"
    arrays = make_arrays([30, 30], terminal_last=[False, False])
    meta = json.dumps({"env_max_episode_steps": limit})
    np.savez(path, env_id="Hopper-v5", metadata_json=meta, **arrays)
    with pytest.raises(DatasetValidationError) as info:
        load_dataset(str(path), progress=False)
    said = str(info.value)
    assert f"max_episode_steps={limit} (the npz's metadata_json), beyond" in said
    assert "Minari" not in said
