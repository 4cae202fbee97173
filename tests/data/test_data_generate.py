"""Dataset generation: round trip through Minari, D4RL layout invariants, levels, atomicity, CLI."""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import minari
import numpy as np
import pytest
import torch

from rambo_env.data import (
    DatasetUnavailableError,
    DatasetValidationError,
    OfflineDataset,
    load_dataset,
)
from rambo_env.data.dataset import ARRAY_FIELDS
from rambo_env.data.generate import generate_dataset
from rambo_env.data.minari_io import minari_dataset_path
from rambo_env.policies import load_actor
from tests.data.data_helpers import make_dataset, save_random_actor
from tests.scripts import python_path

REPO = Path(__file__).resolve().parents[2]


def _clear_flat_cache() -> None:
    shutil.rmtree(os.environ["RAMBO_ENV_CACHE"], ignore_errors=True)


def test_round_trip_generate_save_load():
    made = generate_dataset(
        "hopper", "random", n_transitions=300, n_envs=4, seed=1, progress=False, n_workers=1
    )
    raw = minari.load_dataset("rambo/hopper/random-v0")  # Minari itself reads it
    assert raw.total_steps == 300 and raw.total_episodes == int(made.episode_ends().sum())
    meta = raw.storage.metadata
    assert (meta["ref_min_score"], meta["ref_max_score"]) == (-20.272305, 3234.3)
    assert raw.spec.env_spec.id == "Hopper-v5" and meta["rambo_env"]["seed"] == 1
    first = next(iter(raw.iterate_episodes()))
    assert first.observations.shape == (len(first.rewards) + 1, 11)

    _clear_flat_cache()  # force the Minari (not cached) read path
    loaded = load_dataset("hopper-random")
    assert loaded.source == "minari:rambo/hopper/random-v0"
    for key in ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts"):
        np.testing.assert_array_equal(getattr(loaded, key), getattr(made, key), err_msg=key)
    assert (loaded.ref_min_score, loaded.ref_max_score, loaded.name) == (
        -20.272305,
        3234.3,
        "hopper-random",
    )
    assert load_dataset("hopper-random").fingerprint() == loaded.fingerprint()  # cached read agrees


def test_generated_layout_invariants():
    d = generate_dataset(
        "hopper", "random", n_transitions=500, n_envs=4, progress=False, n_workers=1
    )
    ends = d.episode_ends()
    inside = ~ends[:-1]
    np.testing.assert_array_equal(d.next_observations[:-1][inside], d.observations[1:][inside])
    assert not (d.terminals & d.timeouts).any()
    assert d.timeouts[-1] or d.terminals[-1]  # the trailing partial episode is marked truncated
    assert d.terminals.sum() > 0  # random hopper falls within a few dozen steps
    assert d.unmarked_episode_ends().size == 0  # every episode end is flagged
    from rambo_env.dynamics.termination import terminal_disagreements

    found = terminal_disagreements("Hopper-v5", d.next_observations, d.terminals)
    assert [rows.size for rows in found] == [0, 0]  # the terminals agree with the env's rule
    assert np.abs(d.actions).max() <= 1.0 and d.actions.std() > 0.5  # uniform on [-1, 1]
    # every episode starts from a fresh reset: Hopper's initial state is near the standing pose
    starts = np.flatnonzero(np.r_[True, ends[:-1]])
    assert np.abs(d.observations[starts, 0] - 1.25).max() < 0.01


def test_policy_level_is_seeded_and_stochastic(tmp_path):
    actor = save_random_actor(tmp_path / "actor.pt")
    kw = {
        "policy_path": actor,
        "n_transitions": 200,
        "n_envs": 3,
        "progress": False,
        "n_workers": 1,
    }
    a = generate_dataset("hopper", "medium", seed=0, dataset_id="t/hopper/a-v0", **kw)
    b = generate_dataset("hopper", "medium", seed=0, dataset_id="t/hopper/b-v0", **kw)
    c = generate_dataset("hopper", "medium", seed=1, dataset_id="t/hopper/c-v0", **kw)
    np.testing.assert_array_equal(a.actions, b.actions)
    assert not np.array_equal(a.actions, c.actions)
    assert a.metadata["policy"] == str(actor) and a.metadata["level"] == "medium"
    # probe 12: the name it is read back under (was "hopper-medium" only while cached)
    assert a.name == "hopper-a" == load_dataset("t/hopper/a-v0").name
    _clear_flat_cache()
    assert load_dataset("t/hopper/a-v0").name == "hopper-a"
    # actions are sampled from the policy, not its deterministic mean
    mean = load_actor(actor).act(a.observations, deterministic=True)
    assert np.abs(a.actions - mean).mean() > 0.1 and np.abs(a.actions).max() <= 1.0


def test_parallel_workers_split_the_budget_and_are_reproducible(tmp_path, monkeypatch):
    """Two spawned workers = the two in-process worker shares concatenated (own seed streams)."""
    import multiprocessing as mp

    from rambo_env.data import generate

    actor = save_random_actor(tmp_path / "actor.pt")
    kw = {"policy_path": actor, "n_transitions": 301, "n_envs": 3, "progress": False}
    a = generate_dataset("hopper", "medium", seed=5, n_workers=2, dataset_id="p/h/a-v0", **kw)
    assert a.n_transitions == 301 and a.metadata["n_workers"] == 2

    monkeypatch.setattr(generate, "_WORKER_COUNTER", mp.Value("q", 0))
    shares = [generate._worker_collect("Hopper-v5", n, str(actor), "cpu", 5, w, 3) for w, n in [(0, 151), (1, 150)]]  # fmt: skip
    episodes = shares[0] + shares[1]
    assert generate._WORKER_COUNTER.value == 301
    np.testing.assert_array_equal(a.actions, np.concatenate([ep.actions for ep in episodes]))
    np.testing.assert_array_equal(a.rewards, np.concatenate([ep.rewards for ep in episodes]))
    assert not np.array_equal(shares[0][0].actions[:20], shares[1][0].actions[:20])
    assert int((a.timeouts & ~a.terminals).sum()) >= 2  # each worker's trailing episode truncated
    assert not (a.terminals & a.timeouts).any()


def test_medium_expert_concatenates_two_policies(tmp_path):
    medium, expert = (
        save_random_actor(tmp_path / "m.pt", seed=0),
        save_random_actor(tmp_path / "e.pt", seed=1),
    )
    d = generate_dataset(
        "hopper",
        "medium-expert",
        n_transitions=50,
        n_envs=2,
        progress=False,
        n_workers=1,
        policy_path=medium,
        expert_policy_path=expert,
    )
    assert d.n_transitions == 100 and d.metadata["expert_policy"] == str(expert)


def test_an_expert_policy_that_is_the_medium_one_is_refused(tmp_path, monkeypatch):
    """Probe 18: ``--level expert --expert-policy rambo_env/policies/hopper_medium.pt`` (or
    medium-expert with the same file for both halves) saved medium data as expert, silently."""
    import shutil

    from rambo_env.data import generate as gen
    from rambo_env.policies import shipped_policy_path

    monkeypatch.setattr(gen, "collect_episodes", pytest.fail)
    monkeypatch.setattr(gen, "collect_episodes_parallel", pytest.fail)
    copy = tmp_path / "my-expert.pt"
    shutil.copy(shipped_policy_path("hopper"), copy)
    mine = save_random_actor(tmp_path / "m.pt", seed=0)
    for level, kwargs in (
        ("expert", {"expert_policy_path": copy}),
        ("medium-expert", {"expert_policy_path": copy}),
        ("medium-expert", {"policy_path": mine, "expert_policy_path": mine}),
    ):
        with pytest.raises(ValueError, match=r"expert_policy_path \(--expert-policy\): .* holds "
                           "the same weights as the medium behaviour policy"):  # fmt: skip
            generate_dataset("hopper", level, n_transitions=10, progress=False, n_workers=1,
                             **kwargs)  # fmt: skip
    assert not minari_dataset_path("rambo/hopper/expert-v0").exists()


def _as_replay_file(dataset: OfflineDataset, path):
    """``dataset``'s arrays as agents.behaviour writes a replay.npz: the arrays only."""
    np.savez(path, **{k: getattr(dataset, k) for k in ARRAY_FIELDS})
    return path


def test_a_dataset_file_given_as_the_replay_buffer_is_refused(tmp_path, capsys, monkeypatch):
    """Issue 14 (probe 34, CSV line 86): ``--level medium-replay --replay f/ok.npz`` with a medium
    DATASET file was saved as medium-replay data (a mislabelled level), rc 0."""
    medium = make_dataset(name="ok")
    path = medium.to_npz(tmp_path / "ok.npz")
    with pytest.raises(
        DatasetValidationError,
        match=r"replay_path \(--replay\): .*ok\.npz is a dataset file \(env_id, name, source, "
        r".*metadata_json entries\), not a replay buffer: .*--train-policy writes",
    ):
        generate_dataset("hopper", "medium-replay", replay_path=path, progress=False)
    assert not minari_dataset_path("rambo/hopper/medium-replay-v0").exists()
    monkeypatch.chdir(tmp_path)  # the script says it as one error, exit 2
    argv = ["--env", "hopper", "--level", "medium-replay", "--replay", "ok.npz", "--no-progress"]
    assert _script(monkeypatch).main(argv) == 2
    assert "ok.npz is a dataset file" in capsys.readouterr().err


def test_medium_replay_reads_the_behaviour_replay_buffer(tmp_path):
    replay = generate_dataset(
        "hopper",
        "random",
        n_transitions=120,
        n_envs=2,
        progress=False,
        n_workers=1,
        dataset_id="t/hopper/src-v0",
    )
    path = _as_replay_file(replay, tmp_path / "replay.npz")
    d = generate_dataset("hopper", "medium-replay", replay_path=path, progress=False, n_workers=1)
    np.testing.assert_array_equal(d.observations, replay.observations)
    np.testing.assert_array_equal(d.timeouts, replay.timeouts)
    assert d.name == "hopper-medium-replay"
    # probe 11: another env's buffer (hopper's for walker2d) was saved as walker2d data
    with pytest.raises(
        DatasetValidationError, match=r"replay\.npz is not a replay buffer of Walker2d"
    ):
        generate_dataset("walker2d", "medium-replay", replay_path=path, progress=False, n_workers=1)
    assert not minari_dataset_path("rambo/walker2d/medium-replay-v0").exists()


@pytest.mark.parametrize(
    ("level", "message"),
    [
        ("expert", r"needs an expert policy: pass --expert-policy PATH or --train-policy"),
        ("medium-replay", r"replay buffer .*replay\.npz.*--train-policy"),
    ],
)
def test_missing_behaviour_data_says_how_to_get_it(tmp_path, monkeypatch, level, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DatasetUnavailableError, match=message):
        generate_dataset("hopper", level, n_transitions=10, progress=False, n_workers=1)
    assert not minari_dataset_path(f"rambo/hopper/{level}-v0").exists()


def test_input_files_are_checked_before_anything_is_collected(tmp_path, monkeypatch):
    """Probe 9: medium-expert with a missing --expert-policy failed only after the whole medium
    half was collected; a folder given as --policy was said not to exist."""
    from rambo_env.data import generate as gen

    def no_collect(*args, **kwargs):
        raise AssertionError("collected before the input files were checked")

    monkeypatch.setattr(gen, "collect_episodes", no_collect)
    monkeypatch.setattr(gen, "collect_episodes_parallel", no_collect)
    for level, kwargs, message in (
        ("medium-expert", {"expert_policy_path": tmp_path / "missing.pt"},
         r"expert_policy_path \(--expert-policy\): .*missing\.pt does not exist"),
        ("medium", {"policy_path": tmp_path},
         r"policy_path \(--policy\): .* is a folder, not a file; pass an actor file"),
        ("medium-replay", {"replay_path": tmp_path / "r.npz"},
         r"replay_path \(--replay\): .*r\.npz does not exist; pass a replay\.npz \(or pass "
         r"--train-policy to write it, which first trains a medium SAC agent online: .*\)$"),
        # probe 11: a device (or a pipe) was said not to exist
        ("medium", {"policy_path": os.devnull},
         r"policy_path \(--policy\): /dev/null is not a regular file \(a pipe, device"),
    ):  # fmt: skip
        with pytest.raises(DatasetUnavailableError, match=message):
            generate_dataset(
                "hopper", level, n_transitions=10, progress=False, n_workers=1, **kwargs
            )
        assert not minari_dataset_path(f"rambo/hopper/{level}-v0").exists()


def test_refuses_to_overwrite_unless_forced():
    generate_dataset("hopper", "random", n_transitions=30, n_envs=2, progress=False, n_workers=1)
    with pytest.raises(FileExistsError, match="use --force"):
        generate_dataset(
            "hopper", "random", n_transitions=40, n_envs=2, progress=False, n_workers=1
        )
    generate_dataset(
        "hopper", "random", n_transitions=40, n_envs=2, progress=False, n_workers=1, force=True
    )
    assert minari.load_dataset("rambo/hopper/random-v0").total_steps == 40
    assert load_dataset("hopper-random").n_transitions == 40  # the flat cache follows the new files
    assert len(list(Path(os.environ["RAMBO_ENV_CACHE"]).rglob("*.npz"))) == 1  # stale one dropped


def test_switches_and_collection_arguments_are_checked_before_any_collection(monkeypatch):
    """Probe 21: generate_dataset(force="no") overwrote an existing dataset (a truthy string);
    collect_episodes(n_transitions=inf) looped forever, 0 / -1 / NaN returned no episode, "3" and
    n_envs=0 were raw TypeErrors / IndexErrors, an env typo gymnasium's NameNotFound, rng=0 a raw
    AttributeError."""
    import gymnasium as gym

    from rambo_env.data.generate import collect_episodes

    def no_env(*args, **kwargs):
        raise AssertionError("an env was made before the arguments were checked")

    monkeypatch.setattr(gym, "make", no_env)
    with pytest.raises(ValueError, match="force: expected True or False, got str 'no'"):
        generate_dataset("hopper", "random", n_transitions=30, force="no", n_workers=1)
    with pytest.raises(ValueError, match="progress: expected True or False, got int 1"):
        generate_dataset("hopper", "random", n_transitions=30, progress=1, n_workers=1)
    act = lambda o: np.zeros((len(o), 3))  # noqa: E731
    rng = np.random.default_rng(0)
    for n in (float("inf"), float("nan"), 0, -1, "3", 2.5):
        with pytest.raises(ValueError, match="n_transitions: expected an int >= 1"):
            collect_episodes("Hopper-v5", n, act, rng=rng, n_envs=2, progress=False)
    for kwargs, match in (
        ({"n_envs": 0}, "n_envs: expected an int >= 1, got 0"),
        ({"rng": 0}, "rng: expected a numpy.random.Generator, got int"),
    ):
        with pytest.raises(ValueError, match=match):
            collect_episodes("Hopper-v5", 10, act, **{"rng": rng, "progress": False, **kwargs})
    with pytest.raises(ValueError, match=r"env_id: 'Hoper-v5' is not a registered .*'Hopper-v5'"):
        collect_episodes("Hoper-v5", 10, act, rng=rng, n_envs=2, progress=False)


def test_act_fn_builders_check_their_arguments():
    """Probe 21: random_act_fn(None, rng) was a raw AttributeError ('low'); random_act_fn(space, 0)
    and policy_act_fn(None, generator) were taken and failed only when called."""
    import gymnasium as gym

    from rambo_env.data.generate import policy_act_fn, random_act_fn

    space = gym.spaces.Box(-1.0, 1.0, (3,))
    for call, match in (
        (lambda: random_act_fn(None, np.random.default_rng(0)), "action_space: expected a gym"),
        (lambda: random_act_fn(space, 0), "rng: expected a numpy.random.Generator, got int"),
        (lambda: policy_act_fn(None, torch.Generator()), "actor: expected a torch module"),
        (lambda: policy_act_fn(torch.nn.Linear(3, 3), 0), "generator: expected a torch.Gen"),
    ):
        with pytest.raises(ValueError, match=match):
            call()


def test_nothing_half_written_when_saving_fails(monkeypatch):
    from minari.dataset._storages import hdf5_storage

    generate_dataset(
        "hopper", "random", n_transitions=30, n_envs=2, progress=False, n_workers=1
    )  # old version
    real, calls = hdf5_storage._add_episode_to_group, []

    def fail_mid_way(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")  # h5py's, as the disk fills
        return real(*args, **kwargs)

    monkeypatch.setattr(hdf5_storage, "_add_episode_to_group", fail_mid_way)
    with pytest.raises(OSError, match=r"walker2d/random-v0: not written: the disk holding .* full"):
        generate_dataset(
            "walker2d", "random", n_transitions=200, n_envs=2, progress=False, n_workers=1
        )  # was h5py's raw OSError
    calls.clear()
    with pytest.raises(OSError, match="is full"):
        generate_dataset(
            "hopper", "random", n_transitions=200, n_envs=2, progress=False, n_workers=1, force=True
        )
    root = minari_dataset_path("")
    assert not minari_dataset_path("rambo/walker2d/random-v0").exists()
    assert not [p.name for p in root.iterdir() if p.name.startswith(".")]  # no staging left
    assert minari.load_dataset("rambo/hopper/random-v0").total_steps == 30  # old one intact


def test_a_disk_without_room_for_the_dataset_is_one_error_before_the_write(monkeypatch):
    """A real full disk (tmpfs) during Minari's HDF5 write was a cascade of h5py tracebacks and a
    segmentation fault; the free space is now checked against a lower bound of the size first."""
    from rambo_env.data import minari_io

    real = shutil.disk_usage

    def almost_full(path):
        return real(path)._replace(free=4096)

    monkeypatch.setattr(minari_io.shutil, "disk_usage", almost_full)
    with pytest.raises(
        OSError, match=r"hopper/random-v0: not written: the disk .* is full .*needs"
    ):
        generate_dataset(
            "hopper", "random", n_transitions=60, n_envs=2, progress=False, n_workers=1
        )
    root = minari_dataset_path("")
    assert not minari_dataset_path("rambo/hopper/random-v0").exists()
    assert not root.exists()  # probe 49: the root it made, left empty (no staging), is removed
    assert not minari_dataset_path("rambo").exists()  # probe 25: was left, empty


def test_a_relative_minari_root_works(tmp_path, monkeypatch):
    """``MINARI_DATASETS_PATH=data`` (relative): Minari doubled it inside its paths and every
    write failed with "No such file or directory: 'data/.rambo-tmp-…/data/data/…hdf5'"."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MINARI_DATASETS_PATH", "data")
    generate_dataset("hopper", "random", n_transitions=30, n_envs=2, progress=False, n_workers=1)
    assert (tmp_path / "data" / "rambo" / "hopper" / "random-v0").is_dir()
    assert load_dataset("hopper-random").n_transitions == 30


def test_an_empty_minari_root_variable_means_the_default_root(tmp_path, monkeypatch):
    """``MINARI_DATASETS_PATH=`` (set, empty): we wrote under ~/.minari/datasets, then Minari's
    own namespace call raised a raw ``FileNotFoundError: … ''`` after the dataset was written."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("MINARI_DATASETS_PATH", "")
    generate_dataset("hopper", "random", n_transitions=30, n_envs=2, progress=False, n_workers=1)
    assert (tmp_path / ".minari" / "datasets" / "rambo" / "hopper" / "random-v0").is_dir()
    assert load_dataset("hopper-random").n_transitions == 30


def test_an_empty_dataset_id_is_refused_not_the_default():
    """Probe 10: ``--dataset-id ''`` silently meant the default id rambo/<env>/<level>-v0."""
    with pytest.raises(ValueError, match=r"dataset_id: '' is not a Minari id"):
        generate_dataset("hopper", "random", n_transitions=30, dataset_id="", progress=False)
    assert not minari_dataset_path("rambo/hopper/random-v0").exists()


def test_an_id_a_short_name_reads_must_hold_that_env_and_level():
    """Probe 12: ``--level random --dataset-id rambo/hopper/medium-v0`` (or walker2d data under a
    hopper id) was written, and ``--dataset hopper-medium`` then trained on those data."""
    kw = dict(n_transitions=30, n_envs=2, progress=False, n_workers=1)
    for env, level, dataset_id in (
        ("hopper", "random", "rambo/hopper/medium-v0"),
        ("walker2d", "random", "rambo/hopper/random-v0"),
        ("hopper", "random", "mujoco/hopper/expert-v0"),
    ):
        with pytest.raises(ValueError, match=f"dataset_id: '{dataset_id}' is where the short"):
            generate_dataset(env, level, dataset_id=dataset_id, **kw)
        assert not minari_dataset_path(dataset_id).exists()
    generate_dataset("hopper", "random", dataset_id="rambo/hopper/random-v1", **kw)  # no short name
    # Data already written under a short name's id (by hand, an older version): refused at load.
    generate_dataset("walker2d", "random", dataset_id="mine/walker2d/random-v0", **kw)
    shutil.copytree(
        minari_dataset_path("mine/walker2d/random-v0"),
        minari_dataset_path("rambo/hopper/random-v0"),
    )
    meta = minari_dataset_path("rambo/hopper/random-v0") / "data" / "metadata.json"
    fixed = json.loads(meta.read_text()) | {"dataset_id": "rambo/hopper/random-v0"}
    meta.write_text(json.dumps(fixed))  # a consistent copy (a copied folder alone: misconfigured)
    with pytest.raises(DatasetValidationError, match="rambo/hopper/random-v0 holds Walker2d-v5"):
        load_dataset("hopper-random")


def test_a_damaged_replay_file_is_named_without_unsafe_advice(tmp_path):
    """``--level medium-replay --replay bad.npz``: was numpy's "This file contains pickled (object)
    data. If you trust the file you can load it unsafely …", naming no file."""
    bad = tmp_path / "bad.npz"
    bad.write_text("x")
    objects = tmp_path / "objects.npz"
    np.savez(objects, observations=np.array([{"a": 1}], dtype=object))
    for path, message in (
        (bad, r"not an npz \(zip\) archive"),
        (objects, "entry 'observations' holds pickled objects"),
    ):
        with pytest.raises(ValueError, match=rf"npz file .*{path.name}: {message}") as info:
            generate_dataset("hopper", "medium-replay", replay_path=path, progress=False)
        assert "allow_pickle" not in str(info.value) and "unsafe" not in str(info.value)


def test_nothing_written_when_collection_fails(tmp_path, monkeypatch):
    from rambo_env.data import generate

    def broken(*args, **kwargs):
        raise RuntimeError("simulator exploded")

    monkeypatch.setattr(generate, "random_act_fn", lambda space, rng: broken)
    with pytest.raises(RuntimeError, match="simulator exploded"):
        generate_dataset("hopper", "random", n_transitions=50, progress=False, n_workers=1)
    assert not minari_dataset_path("rambo/hopper/random-v0").exists()


def _script(monkeypatch):
    path = REPO / "scripts" / "make_dataset.py"
    spec = importlib.util.spec_from_file_location("make_dataset", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_dataset", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_make_dataset_cli(capsys, monkeypatch):
    script = _script(monkeypatch)
    args = script.parse_args(
        [
            "--env",
            "hopper",
            "--level",
            "random",
            "--n-transitions",
            "64",
            "--no-progress",
            "--dataset-id",
            "cli/hopper/random-v0",
        ]
    )
    assert args.n_transitions == 64 and args.progress is False and args.policy is None
    with pytest.raises(SystemExit):
        script.parse_args(["--env", "ant", "--level", "random"])
    script.main(
        [
            "--env",
            "hopper",
            "--level",
            "random",
            "--n-transitions",
            "64",
            "--n-envs",
            "4",
            "--workers",
            "1",
            "--no-progress",
            "--dataset-id",
            "cli/hopper/random-v0",
        ]
    )
    assert "average return" in capsys.readouterr().out
    assert isinstance(load_dataset("cli/hopper/random-v0"), OfflineDataset)


def test_make_dataset_cli_refuses_bad_values_before_collecting(capsys, monkeypatch, tmp_path):
    from rambo_env.data import generate

    script = _script(monkeypatch)
    collected = []
    monkeypatch.setattr(generate, "_level_episodes", lambda *a, **k: collected.append(a))
    monkeypatch.setattr(script, "train_agent", lambda *a, **k: collected.append(a))
    base = ["--env", "hopper", "--level", "random", "--no-progress"]
    for flags, expected in (
        (["--seed", "-1"], "error: seed: expected >= 0"),
        # probe 32: 2**32 was accepted here, refused by cotrain / toys / sweep
        (
            ["--seed", str(2**31)],
            "error: seed: 2147483648 is too large: expected an int in [0, 2**31)",
        ),
        (["--n-envs", "0"], "error: n_envs: expected >= 1"),
        (["--workers", "0"], "error: workers: expected >= 1"),
        (["--workers", "100000"], "error: workers: 100000 is not in [1, "),  # was: spawned
        (["--workers", "5", "--n-transitions", "3"], "error: workers: 5 workers for 3 trans"),
        (["--n-transitions", "0"], "error: n_transitions: expected >= 2"),
        (["--n-transitions", "1"], "error: n_transitions: expected >= 2, got 1"),  # probe 32
        (["--device", "gpu"], "error: device: 'gpu'"),
        (["--dataset-id", "../../escape-v0"], "error: dataset_id: '../../escape-v0' is not"),
        (["--dataset-id", "/abs/x-v0"], "error: dataset_id:"),
        (["--dataset-id", "no-version"], "error: dataset_id:"),
        (["--level", "medium", "--train-policy", "--seed", "-2"], "error: seed"),
        (["--n-envs", "100000"], "error: n_envs: 100000 is not in [1, 1024]"),  # was: 21 GB
        (["--policy", "mine.pt"], "error: policy_path (--policy): level 'random' does not use"),
        (["--level", "medium", "--expert-policy", "x.pt"], "error: expert_policy_path (--exp"),
        (["--level", "expert", "--replay", "r.npz"], "error: replay_path (--replay): level 'e"),
        (["--train-policy"], "error: train_policy (--train-policy): level 'random' uses no"),
        (["--behaviour-steps", "5000"], "error: behaviour_steps (--behaviour-steps): 5000 is"),
        (["--level", "medium", "--behaviour-dir", "b"], "error: behaviour_dir (--behaviour-dir"),
        (["--n-transitions", "10" + "0" * 12], "error: n_transitions: 10000000000000 transitio"),
    ):
        given = base if "--level" not in flags else ["--env", "hopper", "--no-progress"]
        assert script.main([*given, *flags]) == 2  # was a traceback, or a run / escape
        err = capsys.readouterr().err
        assert err.startswith(expected) and "Traceback" not in err, err
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for flags, env, expected in (
        ([], str(a_file), f"error: MINARI_DATASETS_PATH: Minari root {a_file} is not a folder"),
        (
            ["--level", "medium", "--train-policy", "--behaviour-dir", str(a_file)],
            None,
            f"error: behaviour_dir: {a_file} is not a folder",
        ),
    ):  # was: found only after training / collecting, when the data were written
        with monkeypatch.context() as m:
            if env is not None:
                m.setenv("MINARI_DATASETS_PATH", env)
            given = base if "--level" not in flags else ["--env", "hopper", "--no-progress"]
            assert script.main([*given, *flags]) == 2
        err = capsys.readouterr().err
        assert err.startswith(expected) and "Traceback" not in err, err
    real = tempfile.TemporaryFile
    root = Path(os.environ["MINARI_DATASETS_PATH"])

    def read_only(*args, dir=None, **kwargs):  # chmod does not stop root
        if dir is not None and Path(dir) == root:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(tempfile, "TemporaryFile", read_only)
        assert script.main(base) == 2
        with pytest.raises(ValueError, match=r"Minari root .* is not writable"):
            generate_dataset("hopper", "random", n_transitions=8, n_workers=1)  # the library too
    err = capsys.readouterr().err
    assert err.startswith(f"error: MINARI_DATASETS_PATH: Minari root {root} is not writable"), err
    assert collected == []  # nothing trained or collected
    minari_root = Path(os.environ["MINARI_DATASETS_PATH"])
    assert not (minari_root.parent / "escape-v0").exists()
    with pytest.raises(ValueError, match="dataset_id"):
        generate_dataset("hopper", "random", n_transitions=8, dataset_id="../x-v0", n_workers=1)
    with pytest.raises(ValueError, match="n_envs"):
        generate_dataset("hopper", "random", n_transitions=8, n_envs=0, n_workers=1)
    with pytest.raises(ValueError, match=r"n_transitions: .* need at least ~.* GiB of memory"):
        load_dataset("walker2d-random", n_transitions=10**13)  # generated on first use: was
    generate.check_generation_memory("hopper", "medium-expert", 10**6, available=2**30)  # fits
    with pytest.raises(ValueError, match=r"medium-expert need at least ~0.395 GiB"):
        generate.check_generation_memory("hopper", "medium-expert", 10**6, available=2**20)


def test_an_unguarded_script_can_generate_with_workers(tmp_path):
    """No ``if __name__ == "__main__":`` guard: spawned workers must not re-run the script."""
    import os
    import subprocess
    import sys

    actor = save_random_actor(tmp_path / "actor.pt")
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from rambo_env.data.generate import generate_dataset\n"
        f"d = generate_dataset('hopper', 'medium', policy_path={str(actor)!r}, n_transitions=200,"
        " n_envs=2, n_workers=2, dataset_id='u/h/m-v0', progress=False)\n"
        "print('TRANSITIONS', d.n_transitions)\n"
    )
    env = {
        **os.environ,
        "MINARI_DATASETS_PATH": str(tmp_path / "minari"),
        "PYTHONPATH": python_path(),
    }
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("TRANSITIONS 200") == 1  # the script ran once, not once per worker


def test_the_readme_gym_make_line_works_in_an_unguarded_script(tmp_path):
    """README's first library line, no ``__main__`` guard, no dataset yet: generated on first use."""
    import os
    import subprocess
    import sys

    script = tmp_path / "first_use.py"
    script.write_text(
        "import gymnasium as gym, rambo_env\n"
        "import rambo_env.data.generate as generate\n"
        "from rambo_env.dynamics.ensemble import EnsembleConfig\n"
        "from rambo_env.dynamics.training import MLEConfig\n"
        "generate.DEFAULT_N_TRANSITIONS = 400  # test size; the default is D4RL's 1M\n"
        "env = gym.make('RamboModel-hopper-medium', device='cpu', mle_config=MLEConfig(max_epochs=1),\n"
        "    ensemble_config=EnsembleConfig(n_members=3, n_elites=2, hidden_dims=(16, 16),\n"
        "                                   weight_decays=(1e-5, 1e-5, 1e-5)))\n"
        "obs, _ = env.reset(seed=0)\n"
        "print('STEP', env.step(env.action_space.sample())[0].shape)\n"
    )
    env = {
        **os.environ,
        "MINARI_DATASETS_PATH": str(tmp_path / "minari"),
        "RAMBO_ENV_CACHE": str(tmp_path / "cache"),
        "PYTHONPATH": python_path(),  # this checkout, also when it is not pip-installed
    }
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("STEP (11,)") == 1
    assert "generating rambo/hopper/medium-v0" in done.stdout


def test_generate_dataset_refuses_more_workers_than_the_machine_takes(monkeypatch):
    """n_workers is capped at 4 per core before any process is spawned (was: no limit)."""
    from rambo_env import host_limits
    from rambo_env.data import generate

    monkeypatch.setattr(host_limits, "usable_cores", lambda: 2)
    monkeypatch.setattr(generate.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(
        generate, "ProcessPoolExecutor", lambda *a, **k: pytest.fail("a process pool was made")
    )
    with pytest.raises(ValueError, match=r"n_workers: 9 is not in \[1, 8\] \(4 per core"):
        generate_dataset("hopper", "random", n_transitions=100, n_workers=9, progress=False)
    generate.check_n_workers(8, 100)  # the limit itself is accepted


def test_make_dataset_interrupted_stops_its_workers_at_once(monkeypatch, capsys):
    """SIGTERM (or Ctrl-C) while 2 workers collect: one line, exit 130, no process left, nothing
    saved (was: a raw KeyboardInterrupt traceback after waiting for every share; SIGTERM killed
    the main process and left its workers collecting, orphaned)."""
    import multiprocessing
    import signal
    import threading
    import time

    script = _script(monkeypatch)
    timer = threading.Timer(6.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    start = time.perf_counter()
    try:
        flags = ["--env", "hopper", "--level", "random", "--n-transitions", "2000000"]
        code = script.main(
            [*flags, "--workers", "2", "--dataset-id", "t/int/x-v0", "--no-progress"]
        )
    finally:
        timer.cancel()
    err = capsys.readouterr().err
    assert code == 130 and "Traceback" not in err and err.startswith("[make_dataset] interrupted")
    assert "training" not in err  # probe 30: no behaviour training ran (no --train-policy)
    assert time.perf_counter() - start < 30  # the shares were ~ 10 minutes of collection
    assert multiprocessing.active_children() == []
    assert not minari_dataset_path("t/int/x-v0").exists()


def test_a_worker_whose_parent_died_stops(monkeypatch):
    """A worker sees its parent gone (killed with SIGKILL, OOM) at its next step count and exits
    (was: it collected its whole share, orphaned)."""
    import multiprocessing

    from rambo_env.data import generate

    exits, threads = [], torch.get_num_threads()
    monkeypatch.setattr(generate.os, "_exit", exits.append)
    monkeypatch.setattr(generate, "_WORKER_COUNTER", None)  # both restored afterwards
    monkeypatch.setattr(generate, "_WORKER_PARENT", None)
    monkeypatch.setattr(torch, "set_num_threads", lambda n: None)  # what _init_worker calls
    from tqdm.auto import tqdm  # imported by the worker's initializer (probe 114b)

    monkeypatch.setattr(tqdm, "set_lock", lambda lock: None)
    generate._init_worker(multiprocessing.Value("q", 0), os.getppid())  # alive: goes on
    generate._count_steps(3)
    assert exits == []
    generate._init_worker(multiprocessing.Value("q", 0), -1)  # not this process's parent
    generate._count_steps(3)
    assert exits == [1] and torch.get_num_threads() == threads


def test_medium_expert_without_an_expert_policy_fails_before_collecting(monkeypatch):
    """Probe 11: ``--dataset hopper-medium-expert`` (generated on first use) or
    ``generate_dataset("hopper", "medium-expert")`` without an expert policy collected the whole
    medium half first (1M transitions by default); ``expert`` failed at once."""
    from rambo_env.data import generate as gen

    def no_collect(*args, **kwargs):
        raise AssertionError("collected before the expert policy was checked")

    monkeypatch.setattr(gen, "collect_episodes", no_collect)
    monkeypatch.setattr(gen, "collect_episodes_parallel", no_collect)
    with pytest.raises(DatasetUnavailableError, match="'medium-expert' needs an expert policy"):
        generate_dataset("hopper", "medium-expert", n_transitions=10, progress=False, n_workers=1)


def test_a_collection_worker_that_dies_is_one_error(monkeypatch):
    """Probe 11: a worker killed outright (``kill -9``, the out-of-memory killer) gave the raw
    ``concurrent.futures.process.BrokenProcessPool`` traceback, exit 1."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from rambo_env.data import generate as gen

    class DeadPool:  # what a pool whose worker was killed hands back
        def __init__(self, *args, **kwargs):
            self._processes: dict = {}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, *args, **kwargs):
            future = Future()
            future.set_exception(BrokenProcessPool("A process in the process pool was terminated"))
            return future

        def shutdown(self, wait=True, cancel_futures=False):
            pass

    monkeypatch.setattr(gen, "ProcessPoolExecutor", DeadPool)
    with pytest.raises(ChildProcessError, match="a collection worker of Hopper-v5 died"):
        gen.collect_episodes_parallel("Hopper-v5", 20, None, seed=0, n_workers=2, progress=False)


def test_a_budget_that_cuts_every_episode_gives_no_behaviour_score(capsys):
    """Probe 11: with no complete episode (2000 transitions over 16 envs of a medium policy)
    the partial episodes' mean was printed and kept as the behaviour policy's D4RL score (9.4
    for a policy near 45), and cotrain compared runs with it."""
    data = generate_dataset(
        "hopper", "medium", n_transitions=40, n_envs=4, progress=False, n_workers=1
    )
    out = capsys.readouterr().out
    assert "no episode ended within the budget" in out and "normalised score" not in out, out
    assert data.metadata["n_complete_episodes"] == 0 and data.behaviour_score() is None


def test_an_id_of_any_namespace_naming_another_env_or_level_is_refused():
    """Probe 19: ``--level random --dataset-id mine/hopper/medium-v0`` was written and loaded as
    'hopper-medium' (hopper-medium's (k, λ) preset and ledger entries for random data);
    ``--env hopper --dataset-id mine/walker2d/random-v0`` held Hopper data under a Walker2d id."""
    kw = dict(n_transitions=30, n_envs=2, progress=False, n_workers=1)
    for dataset_id, match in (
        ("mine/hopper/medium-v1", r"names the level medium \(it would load as 'hopper-medium'"),
        ("mine/walker2d/random-v0", r"names the env walker2d, but these are hopper-random"),
    ):
        with pytest.raises(ValueError, match=f"^dataset_id: '{dataset_id}' {match}"):
            generate_dataset("hopper", "random", dataset_id=dataset_id, **kw)
        assert not minari_dataset_path(dataset_id).exists()
    with pytest.raises(ValueError, match=r"name it mine/hopper/random-v1, or use a name"):
        generate_dataset("hopper", "random", dataset_id="mine/hopper/medium-v1", **kw)
    generate_dataset("hopper", "random", dataset_id="mine/hopper/b-v0", **kw)  # no level's name


def test_make_dataset_refuses_collection_flags_medium_replay_never_reads(capsys, monkeypatch):
    """Probe 19: ``--level medium-replay --n-transitions 50`` (or ``--n-envs``, ``--workers``)
    was silently ignored: the whole replay buffer (300 transitions) was saved."""
    from rambo_env.data import generate

    script = _script(monkeypatch)
    collected = []
    monkeypatch.setattr(generate, "_level_episodes", lambda *a, **k: collected.append(a))
    base = ["--env", "hopper", "--level", "medium-replay", "--replay", "r.npz", "--no-progress"]
    for flags, name in (
        (["--n-transitions", "50"], "n_transitions (--n-transitions): 50"),
        (["--n-envs", "4"], "n_envs (--n-envs): 4"),
        (["--workers", "1"], "workers (--workers): 1"),
    ):
        assert script.main([*base, *flags]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {name} is not used: level 'medium-replay' is the "), err
    assert collected == []


def test_a_disk_that_fills_during_the_hdf5_write_is_one_error_naming_the_minari_root(
    monkeypatch,
):
    """Probe 25: on a real 2 MiB tmpfs that passed the free-space check, h5py's OSError (ENOSPC)
    was followed by a RuntimeError while closing the file ("Disable slist on flush dest failure
    failed"): a 47-line traceback. And the full-disk advice named --run-dir and RAMBO_ENV_CACHE,
    which do not move a dataset."""
    from rambo_env.data import minari_io

    def fills(*args, **kwargs):
        try:
            raise OSError(errno.ENOSPC, "Can't synchronously write data (No space left on device)")
        except OSError:
            raise RuntimeError("Disable slist on flush dest failure failed") from None

    monkeypatch.setattr(minari_io, "_create_minari_dataset", fills)
    with pytest.raises(OSError, match=r"hopper/random-v0: not written: the disk .* is full") as e:
        generate_dataset(
            "hopper", "random", n_transitions=60, n_envs=2, progress=False, n_workers=1
        )
    assert "write elsewhere: MINARI_DATASETS_PATH)" in str(e.value)
    assert "--run-dir" not in str(e.value)
    root = minari_dataset_path("")
    assert not root.exists()  # probe 49: the root it made, left empty (no staging), is removed


def _make_dataset_under_file_size_limit(tmp_path, limit, *flags):
    """make_dataset.py in a process whose files may not exceed ``limit`` bytes (``ulimit -f``)."""
    import os
    import resource
    import subprocess
    import sys

    from tests.scripts import REPO

    def limit_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    env = {
        **os.environ,
        "PYTHONPATH": python_path(),
        "MINARI_DATASETS_PATH": str(tmp_path / "minari"),
        "RAMBO_ENV_CACHE": str(tmp_path / "cache"),
    }
    return subprocess.run(
        [
            *(sys.executable, str(REPO / "scripts" / "make_dataset.py"), "--env", "hopper"),
            *("--level", "random", "--dataset-id", "tt/fsz-v0", "--workers", "1"),
            *("--no-progress", *flags),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        preexec_fn=limit_files,
    )


@pytest.mark.parametrize(("limit", "size"), [(8_000, "at least"), (150_000, "about")])
def test_a_file_size_limit_is_one_error_not_h5py_tracebacks_and_a_segfault(tmp_path, limit, size):
    """Probe 30: ``(ulimit -f 60; make_dataset.py …)`` was 614 lines of h5py's "file write
    failed … errno = 27, error message = 'File too large'" tracebacks, then a segmentation fault
    (exit 139), the staging folder left. Now one error naming the limit: before collecting when
    even the arrays exceed it, else before Minari's write (its size estimated from the episodes)."""
    done = _make_dataset_under_file_size_limit(tmp_path, limit, "--n-transitions", "300")
    assert done.returncode == 2, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, done.stderr[-3000:]
    assert re.search(
        r"fsz-v0/data/main_data\.hdf5: not written \(File too large: the dataset takes "
        rf"{size} [\d.]+ MiB, the file-size limit \(ulimit -f\) is [\d.]+ MiB\); raise the "
        r"file-size limit \(ulimit -f\), or write where larger files fit \(MINARI_DATASETS_PATH\)",
        lines[0],
    ), lines[0]
    assert "h5py" not in done.stderr
    root = tmp_path / "minari"
    assert not [str(p) for p in root.rglob("*") if p.name.startswith(".")]  # no staging, lock
    assert not (root / "tt" / "fsz-v0").exists()


@pytest.mark.parametrize(
    "lengths", [(7, 20, 33, 12, 58) * 8, (1000, 1000, 347, 1)], ids=["short", "long"]
)
def test_a_file_size_limit_a_little_above_the_real_size_is_accepted(lengths):
    """Issue 14: the size estimate (the arrays x 1.25 + 16 KiB an episode) refused file-size
    limits up to ~25 % above the file's real size; now (the arrays' whole HDF5 chunks + 14.25 KiB
    an episode) a limit 5 % above it is accepted and the file written under it, and one below it
    is refused before anything is written."""
    import resource

    from rambo_env.data.minari_io import dataset_to_episodes, save_minari
    from rambo_env.run_io import WriteFailedError
    from tests.data.data_helpers import make_dataset

    data = make_dataset(lengths, [i % 2 == 0 for i in range(len(lengths))])
    episodes = dataset_to_episodes(data)
    real = save_minari("tt/free-v0", episodes, env_id="Hopper-v5") / "data" / "main_data.hdf5"
    real = real.stat().st_size
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY and soft < 2 * real:
        pytest.skip("this process already has a small file-size limit")
    for limit in (int(real * 1.05), int(real * 0.99)):
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
        try:
            if limit > real:
                final = save_minari("tt/fsz-v0", episodes, env_id="Hopper-v5")
            else:
                with pytest.raises(WriteFailedError, match=r"fsz-v0/data/main_data\.hdf5: not "
                                   r"written \(File too large: the dataset takes about"):  # fmt: skip
                    save_minari("tt/fsz-v0", episodes, env_id="Hopper-v5", force=True)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        if limit > real:
            assert (final / "data" / "main_data.hdf5").stat().st_size == real
            shutil.rmtree(final)
    root = minari_dataset_path("")
    assert not [p.name for p in root.iterdir() if p.name.startswith(".rambo")]  # no staging
    assert not minari_dataset_path("tt/fsz-v0").exists()


def test_h5py_write_errors_named_only_in_their_text_and_a_quota_are_one_error(monkeypatch):
    """h5py reports a failed write as a ValueError / RuntimeError whose text holds the errno
    ("file write failed: … errno = 27 …"): was re-raised raw. And a quota (EDQUOT), which the
    free space does not show, is met by a preallocated file of the estimated size first."""
    from rambo_env.data import minari_io

    def fails(*args, **kwargs):
        raise ValueError(
            "Unable to synchronously create dataset (file write failed: time = Wed Dec  2 2026\n"
            ", filename = 'x/main_data.hdf5', file descriptor = 4, errno = 5, error message = "
            "'Input/output error', buf = 0x5, total write size = 748)"
        )

    monkeypatch.setattr(minari_io, "_create_minari_dataset", fails)
    with pytest.raises(OSError, match=r"random-v0: not written \(Input/output error\); check"):
        generate_dataset("hopper", "random", n_transitions=60, n_envs=2, progress=False)

    def over_quota(fd, offset, length):
        raise OSError(errno.EDQUOT, "Disk quota exceeded")

    monkeypatch.setattr(minari_io.os, "posix_fallocate", over_quota)
    with pytest.raises(OSError, match=r"data/main_data\.hdf5: not written: the disk .* full"):
        generate_dataset("hopper", "random", n_transitions=60, n_envs=2, progress=False)
    root = minari_dataset_path("")
    assert not [p.name for p in root.rglob("*") if p.name.startswith(".rambo")]


def test_make_dataset_into_an_empty_minari_root_variable_says_it_is_the_default(
    capsys, monkeypatch, tmp_path
):
    """Probe 50 row 57: ``MINARI_DATASETS_PATH=''`` (a shell variable that was never set)
    silently meant the default root ``~/.minari/datasets``; the closing line now says so."""
    script = _script(monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MINARI_DATASETS_PATH", "")
    flags = ["--env", "hopper", "--level", "random", "--n-transitions", "64", "--no-progress"]
    assert script.main([*flags, "--workers", "1"]) == 0
    root = tmp_path / "home" / ".minari" / "datasets"
    out = capsys.readouterr().out
    assert out.endswith(
        f"; saved in the Minari root {root} (MINARI_DATASETS_PATH is set but empty: the default "
        "root)\n"
    ), out
    assert (root / "rambo" / "hopper" / "random-v0").is_dir()


def test_make_dataset_names_a_new_minari_root_and_where_it_saved(capsys, monkeypatch, tmp_path):
    """Probe 49 row 18: ``MINARI_DATASETS_PATH=…/minari3 make_dataset.py …`` (a new root, maybe a
    typo of ``…/minari``) created it without a word, and the closing line did not name the root
    the dataset was saved in. Now the notice cotrain's first-use generation gives comes before
    the generation, the closing line names the root, and a run refused after the root check
    leaves no new, empty root behind."""
    script = _script(monkeypatch)
    flags = ["--env", "hopper", "--level", "random", "--n-transitions", "64", "--no-progress"]
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    assert script.main([*flags, "--workers", "1"]) == 0
    new = tmp_path / "minari3"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(new))
    capsys.readouterr()
    assert script.main([*flags, "--workers", "1"]) == 0
    out = capsys.readouterr().out
    warned = (
        f"[rambo_env] WARNING: the Minari root {new} (MINARI_DATASETS_PATH) does not exist yet: "
        "it will be created; if the path is a typo, stop now (Ctrl-C) and fix it; did you mean "
        f"MINARI_DATASETS_PATH={tmp_path / 'minari'}, which holds rambo/hopper/random-v0?\n"
    )
    assert out.startswith(warned), out
    assert "[rambo_env] rambo/hopper/random-v0: 64 transitions, " in out
    assert out.endswith(f"; saved in the Minari root {new}\n"), out
    # refused after the root check (a file as --behaviour-dir): the new root is removed again
    other = tmp_path / "other" / "root"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(other))
    (tmp_path / "afile").write_text("x")
    code = script.main(
        [*flags[:3], "medium", "--train-policy", "--behaviour-dir", str(tmp_path / "afile")]
    )
    assert code == 2 and "behaviour_dir:" in capsys.readouterr().err
    assert not (tmp_path / "other").exists()


def test_numpy_counts_are_taken_as_python_ints():
    """Probe 61: ``n_envs=np.int64(4)`` / ``n_workers=np.int64(…)`` passed the up-front checks, the
    whole collection ran, then the dataset's JSON metadata refused the numpy int ("not
    JSON-serialisable (int64)") and nothing was saved."""
    d = generate_dataset(
        "hopper",
        "random",
        n_transitions=np.int64(60),
        n_envs=np.int64(3),
        n_workers=np.int64(1),
        seed=np.int64(2),
        dataset_id="p61/hopper/np-v0",
        progress=False,
    )
    assert d.n_transitions == 60
    for key, value in (("n_envs", 3), ("n_workers", 1)):
        assert d.metadata[key] == value and type(d.metadata[key]) is int


def test_an_hdf5_file_given_as_the_replay_buffer_says_what_replay_takes(
    tmp_path, capsys, monkeypatch
):
    """Probe 61 row 51: ``--replay ok.hdf5`` (a D4RL-layout dataset) said "npz file ok.hdf5: an
    HDF5 file, not an npz (zip) archive; rename it to ok.hdf5", the name it already has."""
    import h5py

    from rambo_env.data.loaders import read_npz

    path = tmp_path / "ok.hdf5"
    with h5py.File(path, "w") as f:
        f["observations"] = np.zeros((4, 11), np.float32)
    with pytest.raises(
        DatasetValidationError,
        match=r"replay_path \(--replay\): .*ok\.hdf5 is an HDF5 file; --replay takes the behaviour "
        r"agent's replay buffer as an \.npz .*use it directly, python scripts/cotrain\.py "
        r"--dataset .*ok\.hdf5$",
    ):
        generate_dataset("hopper", "medium-replay", replay_path=path, progress=False)
    monkeypatch.chdir(tmp_path)  # the script says it as one error, exit 2
    argv = ["--env", "hopper", "--level", "medium-replay", "--replay", "ok.hdf5", "--no-progress"]
    assert _script(monkeypatch).main(argv) == 2
    err = capsys.readouterr().err
    assert "ok.hdf5 is an HDF5 file; --replay takes" in err and "rename" not in err
    with pytest.raises(ValueError) as raised:  # the npz reader itself never says the same name
        read_npz(path)
    assert str(raised.value).endswith("not an npz (zip) archive; pass an npz file here")


def test_an_hdf5_replay_is_refused_before_the_new_minari_root_note(tmp_path, capsys, monkeypatch):
    """Probe 61 row 51: ``--replay ok.hdf5`` with a new ``MINARI_DATASETS_PATH`` first warned "the
    Minari root … does not exist yet: it will be created; if the path is a typo, stop now", then
    refused the file (nothing was created). The replay file is now checked with the other inputs,
    before that note."""
    import h5py

    path = tmp_path / "ok.hdf5"
    with h5py.File(path, "w") as f:
        f["observations"] = np.zeros((4, 11), np.float32)
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "new-root"))
    argv = ["--env", "hopper", "--level", "medium-replay", "--replay", str(path), "--no-progress"]
    assert _script(monkeypatch).main(argv) == 2
    out, err = capsys.readouterr()
    assert "is an HDF5 file; --replay takes" in err
    assert "Minari root" not in out + err and not (tmp_path / "new-root").exists()


def test_a_dataset_made_by_another_process_while_waiting_is_said_so(monkeypatch):
    """Probe 66a row 38: a second make_dataset.py of an id another process was generating waited
    for its lock, then said "already exists …; use --force", as if it had been there before;
    --force then replaced the other's 20 000 transitions with 100."""
    import contextlib

    from rambo_env.data import minari_io

    @contextlib.contextmanager
    def other_process_finishes_first(dataset_id):
        minari_dataset_path(dataset_id).mkdir(parents=True)  # made while this one waited
        yield

    monkeypatch.setattr(minari_io, "generation_lock", other_process_finishes_first)
    with pytest.raises(
        FileExistsError,
        match=r"^'rambo/hopper/random-v0' was made by another process while this one waited for "
        r"its generation lock; it is at .* now: use it, or use --force to replace it",
    ):
        generate_dataset("hopper", "random", n_transitions=30, progress=False, n_workers=1)
