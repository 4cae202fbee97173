"""Per-dataset (k, λ) presets (Table 5 / official configs) and the Table 4 base configuration."""

from __future__ import annotations

import dataclasses

import pytest

from rambo_env.presets import (
    BASE_HYPERPARAMETERS,
    PRESETS,
    RAMBO_OFF_PRESETS,
    RamboPreset,
    get_preset,
    parse_dataset_name,
    preset_names,
)


@pytest.mark.parametrize(
    ("name", "k", "weight"),
    [
        ("hopper-medium", 5, 3e-4),
        ("walker2d-medium", 5, 0.0),
        ("hopper-medium-replay", 2, 3e-4),
        ("walker2d-medium-expert", 2, 3e-4),
        ("halfcheetah-random", 5, 0.0),
        ("hopper-random", 2, 3e-4),
        ("halfcheetah-medium-expert", 5, 3e-4),
    ],
)
def test_official_values(name, k, weight):
    assert get_preset(name) == RamboPreset(rollout_length=k, adversary_weight=weight)


def test_every_mujoco_dataset_has_a_preset_from_the_three_candidate_configs():
    envs, levels = (
        ("halfcheetah", "hopper", "walker2d"),
        ("random", "medium", "medium-replay", "medium-expert"),
    )
    candidates = {RamboPreset(2, 3e-4), RamboPreset(5, 3e-4), RamboPreset(5, 0.0)}  # App. B.4
    for table in (PRESETS, RAMBO_OFF_PRESETS):
        assert set(table) == {(e, lv) for e in envs for lv in levels}
        assert set(table.values()) <= candidates
    assert len(preset_names()) == 12


def test_rambo_off_column_differs_where_table5_says_so():
    assert get_preset("hopper-random", off=True) == RamboPreset(5, 0.0)
    assert get_preset("halfcheetah-medium-replay", off=True) == RamboPreset(5, 0.0)
    assert get_preset("walker2d-random", off=True) == RamboPreset(5, 3e-4)


def test_exact_lookup_no_substring_dispatch():
    for bad in ("hopper-med", "hopper-medium-rep", "hopper-expert", "ant-medium", "medium-hopper"):
        with pytest.raises(ValueError, match="known: halfcheetah-random"):
            get_preset(bad)
    with pytest.raises(ValueError, match="name"):
        get_preset("hopper")


def test_case_and_d4rl_version_suffix():
    assert parse_dataset_name("Hopper-Medium-Replay-v2") == ("hopper", "medium-replay")
    assert get_preset("walker2d-medium-expert-v2") == RamboPreset(2, 3e-4)


def test_the_names_cotrain_takes_find_their_preset():
    """Probe 36 row 76: the Minari ids, D4RL file names and files that load_dataset / cotrain
    take were parsed as env 'rambo/hopper/medium' (level 'v0') and refused."""
    for name in (
        "rambo/hopper/medium-v0",
        "mujoco/hopper/medium-v0",
        "hopper_medium",
        "hopper_medium-v2.hdf5",
        "data/Hopper-Medium.npz",
        " hopper-medium ",
    ):
        assert get_preset(name) == get_preset("hopper-medium"), name
    assert parse_dataset_name("mujoco/walker2d/medium-replay-v0") == ("walker2d", "medium-replay")
    for bad in ("d4rl:hopper-medium-v2", "hopper", "a/b/c/d"):
        with pytest.raises(ValueError) as info:
            get_preset(bad)
        assert str(info.value).startswith(f"name: {bad!r} is not a dataset name the presets know")
        assert "a Minari id (mujoco/hopper/medium-v0, rambo/hopper/medium-v0)" in str(info.value)
    with pytest.raises(ValueError, match=r"^name: no RAMBO preset for 'ant-medium' \(read as"):
        get_preset("ant-medium")


def test_presets_and_base_are_frozen_table4_values():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_preset("hopper-medium").rollout_length = 1  # type: ignore[misc]
    b = BASE_HYPERPARAMETERS
    assert (b.critic_lr, b.actor_lr, b.gamma, b.tau, b.batch_size) == (3e-4, 1e-4, 0.99, 5e-3, 256)
    assert (b.n_members, b.n_elites, b.model_lr, b.real_ratio, b.n_iterations) == (
        7,
        5,
        3e-4,
        0.5,
        2000,
    )


def test_a_non_bool_switch_is_refused():
    """Probe 20: ``get_preset(name, off="no")`` was truthy, so it gave the RAMBO-OFF column;
    ``update_ledger(run, ledger, replace="no")`` let a shorter run replace the ledger's longer
    one without a word."""
    from rambo_env.ledger import update_ledger

    for bad in ("no", 0, None):
        with pytest.raises(ValueError, match=r"off: expected True or False, got"):
            get_preset("walker2d-medium", off=bad)
        with pytest.raises(ValueError, match=r"replace: expected True or False, got"):
            update_ledger("missing-run", "missing-ledger", replace=bad)
    assert get_preset("walker2d-medium", off=True) == RamboPreset(5, 0.0)
