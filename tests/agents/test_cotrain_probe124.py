"""Probe 124 rows 17, 35: 2d9ffd0 added ``suspended`` to RunHistory's state (saved in every
checkpoint) without a format bump, so older code resuming or diagnosing a newer run said "state:
… got a dict with unknown key(s) ['suspended']" instead of "written by a newer rambo_env … update
the code (git pull)". The keys each strictly read state dict of a checkpoint holds are recorded
here per checkpoint format: a key added without a bump fails this test."""

from __future__ import annotations

import pytest

from agents import callback, cotrain, run_callbacks
from agents.callback import RamboCallback
from agents.run_callbacks import RunHistory
from rambo_env import adversary, normalization, provenance, run_io
from rambo_env.adversary import ModelAdversary
from rambo_env.normalization import ObsNormalizer

#: Per checkpoint format: the keys of the state dicts older code reads strictly
#: (``check_state_dict``: an unknown key is refused), and the config.json format written with it
#: (older code checks that one first on --resume).
RECORDED = {
    1: {
        "config_format": 2,
        "RunHistory": {"iteration", "q_history", "evals", "iteration_s", "wall_s"},
        "RamboCallback": {"n_iterations", "last_stats", "q_generator"},
        "ModelAdversary": {"optimizer", "rng", "generator", "n_steps"},
        "ObsNormalizer": {"mean", "std"},
    },
    2: {
        "config_format": 3,
        "RunHistory": {"iteration", "q_history", "evals", "iteration_s", "wall_s", "suspended"},
        "RamboCallback": {"n_iterations", "last_stats", "q_generator"},
        "ModelAdversary": {"optimizer", "rng", "generator", "n_steps"},
        "ObsNormalizer": {"mean", "std"},
    },
}


class _Keys(Exception):
    pass


def _read_keys(monkeypatch) -> dict[str, set[str]]:
    """The keys each strict reader of a checkpoint's state dicts accepts."""

    def record(state, keys, owner):
        raise _Keys(owner, set(keys))

    for module in (run_callbacks, callback, adversary, normalization):
        monkeypatch.setattr(module, "check_state_dict", record)
    readers = {
        "RunHistory": lambda: RunHistory.from_state_dict({}),
        "RamboCallback": lambda: RamboCallback.load_state_dict(object.__new__(RamboCallback), {}),
        "ModelAdversary": lambda: ModelAdversary.load_state_dict(
            object.__new__(ModelAdversary), {}
        ),
        "ObsNormalizer": lambda: ObsNormalizer.from_state_dict({}),
    }
    keys = {}
    for name, read in readers.items():
        with pytest.raises(_Keys) as said:
            read()
        assert said.value.args[0] == name
        keys[name] = said.value.args[1]
    return keys


def test_a_state_key_added_without_a_checkpoint_format_bump_fails_here(monkeypatch):
    recorded = RECORDED.get(cotrain.CHECKPOINT_FORMAT)
    assert recorded is not None, "record the new format's keys in RECORDED"
    keys = _read_keys(monkeypatch)
    assert keys == {name: recorded[name] for name in keys}, (
        "a checkpoint state dict's keys changed: older code refuses them as unknown; bump "
        "agents.cotrain.CHECKPOINT_FORMAT and run_io.CONFIG_FORMAT, and record the new format here"
    )
    assert set(RunHistory().state_dict()) == recorded["RunHistory"]
    # older code checks config.json's format first on --resume: it must rise with the checkpoint's
    assert run_io.CONFIG_FORMAT >= recorded["config_format"]
    for older, record in RECORDED.items():
        if older < cotrain.CHECKPOINT_FORMAT:
            assert record["config_format"] < recorded["config_format"]


@pytest.mark.parametrize("version", sorted(RECORDED))
def test_checkpoints_of_every_recorded_format_are_still_read(tmp_path, version):
    path = tmp_path / "checkpoint.pt"
    state = {key: None for key in cotrain._CHECKPOINT_KEYS} | {"iteration": 3}
    history = {key: [] for key in RECORDED[version]["RunHistory"]} | {"iteration": 3, "wall_s": 1.0}
    run_io.save_checkpoint(path, {**state, "history": history, "format_version": version})
    loaded = cotrain._load_run_checkpoint(path)
    assert RunHistory.from_state_dict(loaded["history"]).iteration == 3


def test_older_code_is_told_a_newer_run_by_its_config_format(monkeypatch):
    """What code of checkpoint format 1 / config format 2 (e.g. 0001995) checks first on
    --resume: the config.json this code writes is newer than its own."""
    written = run_io.CONFIG_FORMAT
    assert run_io.newer_config_format({"format": written}, "run_dir: C") is None  # its own
    monkeypatch.setattr(provenance, "CONFIG_FORMAT", RECORDED[1]["config_format"])  # the older code
    said = run_io.newer_config_format({"format": written}, "run_dir: C")
    assert said is not None and "written by a newer rambo_env" in said and "git pull" in said


@pytest.mark.parametrize(("before", "after"), [(1, 1), (2, 4), (3, 4), (4, 4), (None, None)])
def test_a_resume_records_todays_config_format_where_the_fields_are_the_same(
    tmp_path, before, after
):
    """A run of config format 2 or 3 resumed here holds a checkpoint of this code's format: its
    config.json says so (3 adds no field, 4 only the optional invocations, probe 138), so older
    code's --resume is told it is newer; format 1 lacks resolved['agent'] and keeps its format."""
    saved = {"config": {"seed": 0}, "resolved": {}} | ({} if before is None else {"format": before})
    run_io.write_json(tmp_path / run_io.CONFIG_NAME, saved)
    cotrain._raise_config_format(tmp_path)
    kept = run_io.read_json(tmp_path / run_io.CONFIG_NAME)
    assert kept.get("format") == after
    assert {k: v for k, v in kept.items() if k != "format"} == {
        k: v for k, v in saved.items() if k != "format"
    }
