"""Probe 98 (p98g): a user's own env named in gymnasium's ``module:Env-v0`` form — the module is
imported where the caller names it, the plain id is stored and compared, and each error names
the module form to pass."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rambo_env import load_dataset
from rambo_env.data import DatasetValidationError, OfflineDataset
from tests.data.data_helpers import make_arrays, make_dataset
from tests.data.p98g_envs_source import write_modules


@pytest.fixture
def own_envs(tmp_path, monkeypatch):
    write_modules(tmp_path, monkeypatch)
    return tmp_path


def _module_form_npz(folder) -> str:
    path = make_dataset(env_id=None).to_npz(folder / "own.npz")
    with np.load(path) as data:
        arrays = dict(data)
    arrays["env_id"] = np.array("p98g_envs:P98gHopper-v0")
    np.savez(folder / "own_mod.npz", **arrays)
    return str(folder / "own_mod.npz")


def test_a_file_naming_a_module_loads_with_the_same_id_passed(own_envs) -> None:
    # probe 98 row 18: was refused with "name your env's module yourself: --env-id / env_id=…",
    # the very call made
    path = _module_form_npz(own_envs)
    loaded = load_dataset(path, env_id="p98g_envs:P98gHopper-v0")
    assert loaded.env_id == "P98gHopper-v0"


def test_a_file_naming_a_module_alone_says_to_pass_it(own_envs) -> None:
    # probe 98 row 18: the advice for the file alone named no way that works
    path = _module_form_npz(own_envs)
    said = (
        r"names a module to import, and data never import code: pass "
        r"env_id='p98g_envs:P98gHopper-v0' yourself .*or store the plain id 'P98gHopper-v0'"
    )
    with pytest.raises(DatasetValidationError, match=said):
        load_dataset(path)


@pytest.mark.parametrize(
    ("env_id", "said"),
    [
        # probe 98 row 61: the suggestion dropped the module ("did you mean 'Reach2D-v0'?")
        ("p98g_envs:P98gHopper", r"did you mean 'p98g_envs:P98gHopper-v0'\?"),
        ("p98g_envs:p98ghopper-v0", r"did you mean 'p98g_envs:P98gHopper-v0'\?"),
        ("p98g_envs:P98gHopper-v1", r"did you mean 'p98g_envs:P98gHopper-v0'\?"),
        # probe 98 row 61: dot / slash forms named no module:id form
        ("p98g_envs.P98gHopper-v0", r"module:id form: 'p98g_envs:P98gHopper-v0'"),
        ("p98g_envs/P98gHopper-v0", r"module:id form: 'p98g_envs:P98gHopper-v0'"),
        # probe 98 row 65: "import the package that registers it", the package just imported
        ("p98g_noreg:Mine-v0", r"'p98g_noreg' was imported but registers no 'Mine-v0' \("),
    ],
)
def test_a_slip_in_a_module_form_id_names_the_module_form(own_envs, env_id, said) -> None:
    path = make_dataset(env_id=None).to_npz(own_envs / "x.npz")
    with pytest.raises(DatasetValidationError, match=said):
        load_dataset(path, env_id=env_id)


def test_a_module_says_what_it_registered(own_envs) -> None:
    # probe 98 row 65: nothing said what the module registered
    path = make_dataset(env_id=None).to_npz(own_envs / "x.npz")
    with pytest.raises(DatasetValidationError, match=r"registers no 'Mine-v0' \(.*P98gObs2d-v0"):
        load_dataset(path, env_id="p98g_envs:Mine-v0")


def test_a_broken_entry_point_is_named(own_envs) -> None:
    # probe 98 row 66: was "name an env this machine can run (e.g. Hopper-v5 …)"
    path = make_dataset(env_id=None).to_npz(own_envs / "x.npz")
    said = r"registered with entry_point='p98g_envs:Obs2dX', which cannot be loaded \(Attr"
    with pytest.raises(DatasetValidationError, match=said) as err:
        load_dataset(path, env_id="p98g_badentry:P98gBad-v0")
    assert "fix the entry point" in str(err.value)
    assert "this machine can run" not in str(err.value)


def _obs2d_arrays(flat: bool) -> dict[str, np.ndarray]:
    arrays = make_arrays([5, 4], terminal_last=[False, False], obs_dim=4, action_dim=2)
    arrays["actions"] = np.clip(arrays["actions"], -1, 1)
    if not flat:
        for key in ("observations", "next_observations"):
            arrays[key] = arrays[key].reshape(-1, 2, 2)
    return arrays


def test_flattened_data_of_a_2d_observation_env_name_flatten_observation(own_envs) -> None:
    # probe 98 row 47: was "the data do not fit that env; name the env they come from", the
    # data coming from that env, flattened as the (2, 2) error advised
    import p98g_envs  # noqa: F401 (registers P98gObs2d-v0)

    arrays = _obs2d_arrays(flat=True)
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(arrays, env_id="P98gObs2d-v0")
    said = str(err.value)
    assert "the data are that env's observations flattened" in said
    assert "gymnasium.wrappers.FlattenObservation" in said and "pass that id" in said
    assert "name the env they come from" not in said


def test_the_2d_observation_error_names_the_wrapped_env_to_pass() -> None:
    # probe 98 row 47: its advice named the wrapper but not registering / passing the env
    with pytest.raises(DatasetValidationError) as err:
        OfflineDataset.from_arrays(_obs2d_arrays(flat=False))
    said = str(err.value)
    assert re.search(r"register the env wrapped in gymnasium\.wrappers\.FlattenObservation", said)
    assert "pass that id (env_id=…, --env-id)" in said
