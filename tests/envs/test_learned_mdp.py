"""LearnedMDP core and make_mdp: start states, elite/noise draws, deterministic steps, caching."""

from __future__ import annotations

import dataclasses
import pickle
import re
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import torch

from rambo_env.dynamics.termination import hopper_terminated
from rambo_env.model import LearnedMDP, dataset_action_space, make_mdp, resolve_device
from rambo_env.normalization import ObsNormalizer
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE, make_tiny_dataset


def _rows_of(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Index of each row of ``x`` in ``table`` (-1 if absent)."""
    eq = (x[:, None, :] == table[None, :, :]).all(-1)  # [n, N]
    return torch.where(eq.any(1), eq.float().argmax(1), -1)


def test_resolve_device():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device("cpu") == torch.device("cpu")


def test_a_cpu_index_other_than_0_is_refused():
    """Probe 19: ``--device cpu:1`` was taken as the one CPU device without a word."""
    for device in ("cpu:1", "cpu:7"):
        with pytest.raises(ValueError, match=r"device: 'cpu:\d', but torch has one CPU device"):
            resolve_device(device)
    assert resolve_device("cpu:0") == torch.device("cpu")


def test_transition_refuses_actions_outside_the_action_space(tiny_mdp):
    """Probe 19: the model stepped actions it was never trained on (the envs clip; this call did
    not), silently; a float32 rounding margin at the bounds is kept."""
    obs = tiny_mdp.initial(2, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    action = torch.tensor([[0.0, 0.0, 0.0], [0.0, -1.5, 0.0]])
    with pytest.raises(ValueError, match=r"^action\[1, 1\]: -1.5 is outside the action space "):
        tiny_mdp.transition(obs, action, rng)
    with pytest.raises(ValueError, match=r"outside the action space \[-1.0, 1.0\]; clip it"):
        tiny_mdp.step_with(obs, action, *tiny_mdp.draw(2, rng))
    edge = torch.ones(2, 3) * (1.0 + 1e-7)
    assert tiny_mdp.transition(obs, edge, rng)[0].shape == (2, 11)
    assert tiny_mdp.transition(obs, action, rng, check_finite=False)[0].shape == (2, 11)


def test_cpu_with_an_index_is_the_cpu(tiny_mdp):
    """``--device cpu:0`` (cotrain, diagnose, bench): was an mdp on ``cpu:0`` that refused every
    tensor as "a tensor on cpu, but the mdp is on cpu:0", after the dataset load and MLE."""
    assert resolve_device("cpu:0") == torch.device("cpu")
    assert resolve_device(torch.device("cpu", 0)) == torch.device("cpu")
    mdp = pickle.loads(pickle.dumps(tiny_mdp)).to("cpu:0")
    assert mdp.device == torch.device("cpu")
    obs = mdp.initial(4, np.random.default_rng(0))
    next_obs, _, _ = mdp.transition(obs, torch.zeros(4, 3), np.random.default_rng(0))
    assert next_obs.shape == (4, 11)


def test_start_obs_are_normalised_dataset_obs(tiny_mdp, tiny_dataset):
    expected = tiny_mdp.normalizer.normalize(tiny_dataset.observations)
    np.testing.assert_allclose(tiny_mdp.start_obs.numpy(), expected, rtol=1e-6, atol=1e-6)
    assert tiny_mdp.start_obs.dtype == torch.float32
    assert abs(float(tiny_mdp.start_obs.mean())) < 1e-4  # z-scored once, not twice


def test_initial_draws_dataset_rows_reproducibly(tiny_mdp):
    obs = tiny_mdp.initial(64, np.random.default_rng(1))
    assert obs.shape == (64, 11) and obs.device == tiny_mdp.device
    assert (_rows_of(obs, tiny_mdp.start_obs) >= 0).all()
    torch.testing.assert_close(obs, tiny_mdp.initial(64, np.random.default_rng(1)))
    assert not torch.equal(obs, tiny_mdp.initial(64, np.random.default_rng(2)))


def test_draw_uses_only_elites_and_is_seeded(tiny_mdp):
    member_idx, noise = tiny_mdp.draw(2000, np.random.default_rng(0))
    elites = set(tiny_mdp.ensemble.elite_idx.tolist())
    assert set(member_idx.tolist()) == elites  # every elite used, no other member
    assert member_idx.dtype == torch.long and noise.shape == (2000, 12)
    assert noise.dtype == torch.float32
    assert abs(float(noise.mean())) < 0.05 and abs(float(noise.std()) - 1.0) < 0.05
    member2, noise2 = tiny_mdp.draw(2000, np.random.default_rng(0))
    assert torch.equal(member_idx, member2) and torch.equal(noise, noise2)


def test_step_with_is_deterministic_and_is_the_ensemble_sample(tiny_mdp):
    rng = np.random.default_rng(3)
    obs = tiny_mdp.initial(32, rng)
    action = torch.as_tensor(rng.uniform(-1, 1, (32, 3)), dtype=torch.float32)
    member_idx, noise = tiny_mdp.draw(32, rng)
    with torch.no_grad():
        next_obs, reward, terminated = tiny_mdp.step_with(obs, action, member_idx, noise)
        again = tiny_mdp.step_with(obs, action, member_idx, noise)
        ref_obs, ref_reward = tiny_mdp.ensemble.sample(obs, action, member_idx, noise)
    for a, b in zip((next_obs, reward, terminated), again, strict=True):
        assert torch.equal(a, b)
    torch.testing.assert_close(next_obs, ref_obs)
    torch.testing.assert_close(reward, ref_reward)
    assert reward.shape == (32,) and terminated.dtype == torch.bool
    raw = tiny_mdp.normalizer.unnormalize(next_obs)
    assert torch.equal(terminated, hopper_terminated(raw))


def test_termination_fn_sees_raw_obs_unnormalised_once(tiny_mdp):
    seen = []

    def recording_fn(raw_next_obs):
        seen.append(raw_next_obs.clone())
        return raw_next_obs[:, 0] < 1.25  # below the standing height

    mdp = LearnedMDP(tiny_mdp.ensemble, tiny_mdp.normalizer, recording_fn, tiny_mdp.start_obs)
    rng = np.random.default_rng(4)
    obs = mdp.initial(256, rng)
    with torch.no_grad():
        next_obs, _, terminated = mdp.transition(obs, torch.zeros(256, 3), rng)
    std, mean = (torch.from_numpy(a.copy()) for a in (mdp.normalizer.std, mdp.normalizer.mean))
    raw = next_obs * std + mean
    torch.testing.assert_close(seen[0], raw)
    assert torch.equal(terminated, raw[:, 0] < 1.25)
    assert 0 < int(terminated.sum()) < 256  # the test would notice a wrong scale


def test_transition_equals_step_with_of_draw(tiny_mdp):
    obs = tiny_mdp.initial(16, np.random.default_rng(0))
    action = torch.full((16, 3), 0.3)
    with torch.no_grad():
        got = tiny_mdp.transition(obs, action, np.random.default_rng(9))
        want = tiny_mdp.step_with(obs, action, *tiny_mdp.draw(16, np.random.default_rng(9)))
    for a, b in zip(got, want, strict=True):
        assert torch.equal(a, b)


def test_bad_inputs_raise_value_errors(tiny_mdp):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n: expected a positive int, got 0"):
        tiny_mdp.initial(0, rng)
    with pytest.raises(ValueError, match="n: expected a positive int"):
        tiny_mdp.draw(-3, rng)
    with pytest.raises(ValueError, match=r"start_obs: expected shape \[N > 0, 11\], got \(5, 4\)"):
        LearnedMDP(tiny_mdp.ensemble, tiny_mdp.normalizer, hopper_terminated, torch.zeros(5, 4))
    with pytest.raises(ValueError, match="action_space"):
        LearnedMDP(
            tiny_mdp.ensemble,
            tiny_mdp.normalizer,
            hopper_terminated,
            tiny_mdp.start_obs,
            action_space=gym.spaces.Box(-1, 1, (2,)),
        )


def test_wrong_parts_and_generators_are_named(tiny_mdp):
    """Probe 18: ``LearnedMDP`` took NaN start states (rolled out as NaN), ``None`` as the
    normalizer or termination function (a raw AttributeError / "'NoneType' object is not
    callable" at the first step) and a Discrete action space ("shape () != …");
    ``initial(3, 0)`` / ``draw(3, None)`` were raw AttributeErrors (``transition`` checked)."""
    parts = (tiny_mdp.ensemble, tiny_mdp.normalizer, hopper_terminated, tiny_mdp.start_obs)
    nan_start = tiny_mdp.start_obs.clone()
    nan_start[7, 2] = float("nan")
    other = ObsNormalizer(np.zeros(5, np.float32), np.ones(5, np.float32))
    for index, value, match in (
        (0, None, "ensemble: expected a rambo_env.dynamics.ensemble.GaussianEnsemble, got None"),
        (1, None, "normalizer: expected a rambo_env.normalization.ObsNormalizer, got NoneType"),
        (1, other, "normalizer: fitted on obs_dim=5 observations, but the ensemble's obs_dim"),
        (2, None, "termination_fn: expected a function of raw next observations"),
        (3, nan_start, r"start_obs\[7\]: not finite"),
    ):
        args = list(parts)
        args[index] = value
        with pytest.raises(ValueError, match=match):
            LearnedMDP(*args)
    with pytest.raises(ValueError, match=r"action_space: expected a gymnasium.spaces.Box"):
        LearnedMDP(*parts, action_space=gym.spaces.Discrete(3))
    with pytest.raises(ValueError, match="env_id: expected a Gymnasium id string or None, got 5"):
        LearnedMDP(*parts, env_id=5)
    complex_obs = torch.zeros(2, 11, dtype=torch.complex64)
    with pytest.raises(ValueError, match=r"obs: a complex tensor \(torch.complex64\)"):
        tiny_mdp.transition(complex_obs, torch.zeros(2, 3), np.random.default_rng(0))
    for call in (lambda: tiny_mdp.initial(3, 0), lambda: tiny_mdp.draw(3, None)):
        with pytest.raises(ValueError, match=r"rng: expected a numpy.random.Generator"):
            call()
    assert LearnedMDP(*parts).initial(2, np.random.default_rng(0)).shape == (2, 11)


def test_make_mdp_checks_its_arguments_before_the_dataset_load(monkeypatch):
    """Issue 14 probe: a dict ensemble_config gave dataclasses' raw "asdict() should be called on
    dataclass instances" after the load; seed=-1 was accepted; device="cuda" on a CPU build
    failed only after the load (which may generate 1M transitions)."""
    import rambo_env.data.loaders as loaders

    def no_load(*args, **kwargs):
        raise AssertionError("the dataset was loaded before the arguments were checked")

    monkeypatch.setattr(loaders, "load_dataset", no_load)
    with pytest.raises(ValueError, match=r"ensemble_config: expected a .*EnsembleConfig or None"):
        make_mdp("hopper-medium", ensemble_config={"hidden_dims": (8,)})
    with pytest.raises(ValueError, match=r"seed: expected an int >= 0, got -1"):
        make_mdp("hopper-medium", seed=-1)
    with pytest.raises(ValueError, match=r"device: 'gpu'"):
        make_mdp("hopper-medium", device="gpu")


def test_pickle_round_trip_steps_identically(tiny_mdp):
    clone = pickle.loads(pickle.dumps(tiny_mdp))
    assert clone.ensemble is not tiny_mdp.ensemble and clone.device == tiny_mdp.device
    obs = tiny_mdp.initial(8, np.random.default_rng(0))
    with torch.no_grad():
        a = tiny_mdp.transition(obs, torch.zeros(8, 3), np.random.default_rng(1))
        b = clone.transition(obs, torch.zeros(8, 3), np.random.default_rng(1))
    for x, y in zip(a, b, strict=True):
        assert torch.equal(x, y)


def test_make_mdp_trains_then_loads_from_cache(tiny_dataset, capsys):
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    first = make_mdp(tiny_dataset, **kwargs)
    assert "trained: 2 epochs" in capsys.readouterr().out
    second = make_mdp(tiny_dataset, **kwargs)
    out = capsys.readouterr().out
    assert "<- cache" in out and "dynamics-" in out
    torch.testing.assert_close(second.ensemble.state_dict(), first.ensemble.state_dict())
    assert torch.equal(second.ensemble.elite_idx, first.ensemble.elite_idx)
    other_seed = make_mdp(tiny_dataset, seed=1, **kwargs)  # another key: trains again
    assert "trained" in capsys.readouterr().out
    assert not torch.equal(other_seed.ensemble.mean_head.weight, first.ensemble.mean_head.weight)


def test_a_cached_model_of_too_few_rows_is_warned_about_too(capsys):
    """Probe 32: the few-rows warning of MLE pretraining was not repeated when the model of a
    2-row dataset came from the cache: the next run used it without a word."""
    data = make_tiny_dataset(n_transitions=20, episode_len=10)
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    warning = (
        "[rambo_env] WARNING: MLE pretraining on dataset 'tiny-hopper': 20 transitions leave 18 "
        "for training after the 2-transition holdout, fewer than one batch"
    )
    make_mdp(data, **kwargs)
    out = capsys.readouterr().out
    assert warning in out and "trained: 2 epochs" in out
    make_mdp(data, **kwargs)
    out = capsys.readouterr().out  # probe 123: a cache hit names the cached model, not pretraining
    assert "20 transitions leave 18 for training after the 2-transition holdout" in out
    assert "WARNING: the cached model dynamics-" in out and "<- cache" in out


def test_dataset_action_space(tiny_dataset):
    space = dataset_action_space(tiny_dataset)  # from the real Hopper-v5
    assert space == gym.spaces.Box(-1.0, 1.0, (3,), np.float32)
    no_env = dataclasses.replace(tiny_dataset, env_id=None)
    assert dataset_action_space(no_env) == gym.spaces.Box(-1.0, 1.0, (3,), np.float32)
    wide = dataclasses.replace(no_env, actions=tiny_dataset.actions * 3.0)
    space = dataset_action_space(wide)
    np.testing.assert_array_equal(space.high, wide.actions.max(0))
    np.testing.assert_array_equal(space.low, wide.actions.min(0))
    wrong_dim = dataclasses.replace(tiny_dataset, actions=tiny_dataset.actions[:, :2])
    with pytest.raises(ValueError, match=r"dataset\.action_dim=2"):
        dataset_action_space(wrong_dim)


def test_corrupt_cache_entry_is_reported_removed_and_rebuilt(tiny_dataset, capsys):
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    first = make_mdp(tiny_dataset, **kwargs)
    path = Path(capsys.readouterr().out.split("saved to ")[1].split()[0])
    path.write_bytes(b"truncated")
    again = make_mdp(tiny_dataset, **kwargs)
    out = capsys.readouterr().out
    assert "is unreadable" in out and "trained: 2 epochs" in out
    torch.testing.assert_close(again.ensemble.state_dict(), first.ensemble.state_dict())
    assert "<- cache" in (make_mdp(tiny_dataset, **kwargs), capsys.readouterr().out)[1]


def test_cache_entry_of_another_normalizer_is_reported_removed_and_rebuilt(tiny_dataset, capsys):
    from rambo_env.dynamics import io

    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    first = make_mdp(tiny_dataset, **kwargs)
    path = Path(capsys.readouterr().out.split("saved to ")[1].split()[0])
    loaded = io.load_model(path, "cpu")
    other = type(loaded.normalizer)(mean=loaded.normalizer.mean + 1.0, std=loaded.normalizer.std)
    io.save_model(path, loaded.ensemble, other, loaded.mle_config, loaded.report)
    again = make_mdp(tiny_dataset, **kwargs)
    out = capsys.readouterr().out
    assert "normalizer does not match dataset" in out and "removing it and training anew" in out
    torch.testing.assert_close(again.ensemble.state_dict(), first.ensemble.state_dict())


def test_cache_entry_of_other_settings_is_reported_removed_and_rebuilt(tiny_dataset, capsys):
    """Issue 14 (probe 33): a model of hidden 17 copied under the hidden-16 key was loaded without
    a word (and a --resume then failed with a raw size mismatch)."""
    kwargs = dict(device="cpu", mle_config=TINY_MLE, progress=False)
    wide = dataclasses.replace(TINY_ENSEMBLE, hidden_dims=(17,) * len(TINY_ENSEMBLE.hidden_dims))
    make_mdp(tiny_dataset, ensemble_config=wide, **kwargs)
    wide_path = Path(capsys.readouterr().out.split("saved to ")[1].split()[0])
    first = make_mdp(tiny_dataset, ensemble_config=TINY_ENSEMBLE, **kwargs)
    path = Path(capsys.readouterr().out.split("saved to ")[1].split()[0])
    path.write_bytes(wide_path.read_bytes())  # a hand copy / sync tool swapped the entry
    again = make_mdp(tiny_dataset, ensemble_config=TINY_ENSEMBLE, **kwargs)
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "built for other settings" in x)
    assert str(path) in line and "removing it and training anew" in line, line
    assert "EnsembleConfig.hidden_dims [17, 17] there, [" in line, line
    assert "trained: 2 epochs" in out
    assert again.ensemble.config.hidden_dims == TINY_ENSEMBLE.hidden_dims
    torch.testing.assert_close(again.ensemble.state_dict(), first.ensemble.state_dict())
    # a copy of the same architecture but other MLE settings: found by the recorded key
    other_mle = dataclasses.replace(TINY_MLE, lr=TINY_MLE.lr * 2)
    make_mdp(tiny_dataset, ensemble_config=TINY_ENSEMBLE, **{**kwargs, "mle_config": other_mle})
    other_path = Path(capsys.readouterr().out.split("saved to ")[1].split()[0])
    path.write_bytes(other_path.read_bytes())
    make_mdp(tiny_dataset, ensemble_config=TINY_ENSEMBLE, **kwargs)
    out = capsys.readouterr().out
    assert "built for other settings (MLEConfig.lr" in out and "trained: 2 epochs" in out, out


def test_cache_entry_without_recorded_key_loads_when_its_shapes_fit(tiny_dataset, capsys):
    """An entry written before entries recorded their key (or a ported model) still loads if its
    architecture is the one asked for; one of another architecture is rebuilt."""
    from rambo_env.dynamics import io

    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    make_mdp(tiny_dataset, **kwargs)
    path = Path(capsys.readouterr().out.split("saved to ")[1].split()[0])
    loaded = io.load_model(path, "cpu")
    assert loaded.meta["cache_key"] == path.stem.removeprefix("dynamics-")
    io.save_model(path, loaded.ensemble, loaded.normalizer, loaded.mle_config, loaded.report)
    make_mdp(tiny_dataset, **kwargs)
    assert "<- cache" in capsys.readouterr().out
    wide = dataclasses.replace(TINY_ENSEMBLE, hidden_dims=(17,) * len(TINY_ENSEMBLE.hidden_dims))
    other = make_mdp(tiny_dataset, **{**kwargs, "ensemble_config": wide}, cache=False).ensemble
    io.save_model(path, other, loaded.normalizer, loaded.mle_config, loaded.report)
    capsys.readouterr()
    make_mdp(tiny_dataset, **kwargs)
    out = capsys.readouterr().out
    assert "built for other settings (EnsembleConfig.hidden_dims [17, 17]" in out, out


def test_unusable_cache_folder_is_named_before_training(tiny_dataset, tmp_path, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("trained before the cache folder was checked")

    monkeypatch.setattr("rambo_env.model.train_mle", no_training)
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for bad, why in [(a_file, "is not a folder"), (a_file / "sub", "is not writable")]:
        monkeypatch.setenv("RAMBO_ENV_CACHE", str(bad))
        with pytest.raises(ValueError, match=f"RAMBO_ENV_CACHE: model cache {bad} {why}"):
            make_mdp(tiny_dataset, **kwargs)
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "new" / "cache"))
    with pytest.raises(AssertionError, match="trained before"):  # a missing folder is created
        make_mdp(tiny_dataset, **kwargs)
    assert (tmp_path / "new" / "cache").is_dir()


def test_non_finite_model_is_neither_cached_nor_used(tiny_dataset):
    huge = dataclasses.replace(tiny_dataset, rewards=np.full_like(tiny_dataset.rewards, 1e30))
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    with pytest.raises(ValueError, match="non-finite"):
        make_mdp(huge, **kwargs)
    from rambo_env.dynamics import io

    assert not any(io.cache_dir().glob("*.pt"))


def test_a_learning_rate_that_breaks_mle_is_named(tiny_dataset):
    """Probe 12: ``--mle-lr 1e6`` gave "the trained model: non-finite weights in ['max_logvar',
    …]; it cannot be used", naming neither the cause nor the flag."""
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, progress=False)
    with pytest.raises(ValueError, match=r"learning rate 1e\+06 too large \(--mle-lr"):
        make_mdp(tiny_dataset, mle_config=dataclasses.replace(TINY_MLE, lr=1e6), **kwargs)
    from rambo_env.dynamics import io

    assert not any(io.cache_dir().glob("*.pt"))


def test_killed_pretraining_resumes_from_its_checkpoint(
    tiny_dataset, tiny_mdp, capsys, monkeypatch
):
    from rambo_env.dynamics import io, training

    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    save = training._save_checkpoint

    def save_then_die(path, state):
        save(path, state)
        if state["epoch"] == 1:
            raise KeyboardInterrupt  # the process is killed after epoch 1 of 2

    with monkeypatch.context() as m:
        m.setattr(training, "_save_checkpoint", save_then_die)
        with pytest.raises(KeyboardInterrupt):
            make_mdp(tiny_dataset, **kwargs)
    (partial,) = io.cache_dir().glob("dynamics-*.partial.pt")
    assert [p.name for p in io.cache_dir().iterdir()] == [partial.name]  # no model cached yet
    capsys.readouterr()
    resumed = make_mdp(tiny_dataset, **kwargs)
    out = capsys.readouterr().out
    assert "resuming MLE pretraining from epoch 1 (" in out and str(partial) in out
    assert "trained: 2 epochs" in out and torch.load(partial)["epoch"] == 2  # a budget stop
    cached = io.load_model(Path(out.split("saved to ")[1].split()[0]), "cpu")
    assert cached.report.epochs == 2 and len(cached.report.epoch_end_s) == 2
    # tiny_mdp: the same configs and seed, trained without interruption (and without a cache).
    for model in (resumed.ensemble, cached.ensemble):
        state, want = model.state_dict(), tiny_mdp.ensemble.state_dict()
        assert all(torch.equal(state[k], want[k]) for k in want)


def test_mle_budgets_share_one_pretraining_checkpoint(tiny_dataset, tiny_mdp, capsys):
    """A model capped at 1 epoch, then the same pretraining with a 2-epoch budget: the second
    trains epoch 2 only (one checkpoint per trajectory, ``io.trajectory_key``), caches its own
    model, and ends with the uninterrupted 2-epoch model (``tiny_mdp``)."""
    from rambo_env.dynamics import io

    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, progress=False)
    make_mdp(tiny_dataset, mle_config=dataclasses.replace(TINY_MLE, max_epochs=1), **kwargs)
    (partial,) = io.cache_dir().glob("dynamics-*.partial.pt")
    assert torch.load(partial)["epoch"] == 1
    capsys.readouterr()
    longer = make_mdp(
        tiny_dataset, mle_config=dataclasses.replace(TINY_MLE, max_epochs=2), **kwargs
    )
    out = capsys.readouterr().out
    assert "resuming MLE pretraining from epoch 1 (" in out and str(partial) in out
    assert "trained: 2 epochs" in out and torch.load(partial)["epoch"] == 2
    assert len(list(io.cache_dir().glob("dynamics-*.pt"))) == 3  # two models, one checkpoint
    state, want = longer.ensemble.state_dict(), tiny_mdp.ensemble.state_dict()
    assert all(torch.equal(state[k], want[k]) for k in want)


def test_a_checkpoint_beside_its_model_is_moved_to_the_shared_place(tiny_dataset, capsys):
    """Checkpoints written before trajectory keys lived at ``<model key>.partial.pt``: a run of
    the same settings moves it to ``io.partial_path`` and resumes it (not a fresh start)."""
    from rambo_env.dynamics import io

    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, progress=False)
    make_mdp(tiny_dataset, mle_config=dataclasses.replace(TINY_MLE, max_epochs=1), **kwargs)
    (partial,) = io.cache_dir().glob("dynamics-*.partial.pt")
    cfg2 = dataclasses.replace(TINY_MLE, max_epochs=2)
    key_args = (tiny_dataset.fingerprint(), TINY_ENSEMBLE, cfg2, 0, "fp32")
    legacy = io.legacy_partial_path(io.cache_path(io.cache_key(*key_args)))
    partial.rename(legacy)
    capsys.readouterr()
    make_mdp(tiny_dataset, mle_config=cfg2, **kwargs)
    out = capsys.readouterr().out
    assert f"MLE checkpoint {legacy} -> {partial}" in out and not legacy.exists()
    assert "resuming MLE pretraining from epoch 1 (" in out and torch.load(partial)["epoch"] == 2


def test_a_fresh_pretraining_names_unfinished_ones_of_this_data_under_other_settings(
    tiny_dataset, capsys
):
    """Probe 26: the same command after an upgrade whose defaults had changed (MLE lr, precision)
    pretrained afresh, the old run's unfinished pretraining of the same data ignored without a
    word (hours at paper size). It is now named with the settings that continue it."""
    from rambo_env.dynamics import io

    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, progress=False)
    make_mdp(tiny_dataset, mle_config=dataclasses.replace(TINY_MLE, max_epochs=1), **kwargs)
    (partial,) = io.cache_dir().glob("dynamics-*.partial.pt")
    assert torch.load(partial)["settings"]["dataset"] == tiny_dataset.fingerprint()
    capsys.readouterr()
    other_lr = dataclasses.replace(TINY_MLE, max_epochs=1, lr=TINY_MLE.lr / 2)
    make_mdp(tiny_dataset, mle_config=other_lr, **kwargs)
    out = capsys.readouterr().out
    # probe 42: a pretraining its --mle-max-epochs 1 budget ended was called "unfinished"
    assert (
        f"1 MLE pretraining checkpoint(s) of this dataset under other settings ({partial.name}, "
        "1 epoch, finished at its --mle-max-epochs 1 budget: " in out
    )
    assert f"--mle-lr {TINY_MLE.lr} (now {TINY_MLE.lr / 2})" in out
    assert (
        "continue it (a finished one with a larger --mle-max-steps / --mle-max-epochs / --mle-max-time-s)"
        in out
    )
    old = torch.load(partial)  # an interrupted one: no budget stop recorded
    assert old.pop("stopped_by") == "max_epochs"
    torch.save(old, partial)
    make_mdp(tiny_dataset, mle_config=dataclasses.replace(other_lr, lr=TINY_MLE.lr / 3), **kwargs)
    out = capsys.readouterr().out
    assert "2 MLE pretraining checkpoint(s) of this dataset under other settings (" in out
    assert f"{partial.name}, 1 epoch, unfinished: --mle-lr {TINY_MLE.lr} (now " in out
    del old["settings"]
    torch.save(old, partial)
    make_mdp(tiny_dataset, mle_config=dataclasses.replace(other_lr, lr=TINY_MLE.lr / 4), **kwargs)
    out = capsys.readouterr().out
    assert "2 unfinished MLE pretraining(s) written before" not in out
    assert "written before their settings were recorded" in out and partial.name in out


def test_the_cache_note_shows_hidden_sizes_in_the_flags_form():
    """Probe 42: the note showed ``--ensemble-hidden [8, 8, 8, 8]``; the flag takes one int."""
    from rambo_env.model import _as_flag

    assert _as_flag("--ensemble-hidden", [8, 8, 8, 8]) == "--ensemble-hidden 8"
    assert _as_flag("--ensemble-hidden", [64, 64, 64, 64], bare=True) == "64"
    assert _as_flag("--ensemble-hidden", [16, 16]) == "EnsembleConfig.hidden_dims (16, 16)"
    assert _as_flag("--mle-lr", 0.001) == "--mle-lr 0.001"


def test_a_model_cache_write_on_a_full_disk_warns_and_the_model_is_used(
    tiny_dataset, capsys, monkeypatch
):
    import errno

    from rambo_env import run_io
    from rambo_env.dynamics import io

    def disk_full(path, state):
        def write(tmp):
            raise OSError(errno.ENOSPC, "No space left on device")

        return run_io.atomic_write(path, write)

    monkeypatch.setattr(io, "save_checkpoint", disk_full)
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    mdp = make_mdp(tiny_dataset, **kwargs)  # was: the trained model lost to the error
    out = capsys.readouterr().out
    assert "trained: 2 epochs" in out and "WARNING: not cached, used from memory" in out
    assert "dynamics-" in out and "is full" in out
    assert isinstance(mdp, LearnedMDP)
    # No model; only the pretraining checkpoint a budget stop keeps (written before the disk filled).
    assert [p.name.endswith(".partial.pt") for p in io.cache_dir().iterdir()] == [True]


def test_two_makers_of_one_model_train_it_once(tiny_dataset, capsys, monkeypatch):
    import os
    import threading
    import time

    from rambo_env import model as model_module

    real_train, started, trained = model_module.train_mle, threading.Event(), []

    def slow_train(*args, **kwargs):
        trained.append(1)
        started.set()
        time.sleep(1.0)  # the second maker arrives meanwhile and waits for the cache lock
        return real_train(*args, **kwargs)

    monkeypatch.setattr(model_module, "train_mle", slow_train)
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    made = {}

    def make(name: str) -> None:
        made[name] = make_mdp(tiny_dataset, **kwargs)

    first = threading.Thread(target=make, args=("first",))
    first.start()
    assert started.wait(30)
    second = threading.Thread(target=make, args=("second",))
    second.start()
    first.join()
    second.join()
    out = capsys.readouterr().out
    assert len(trained) == 1  # was: both trained the same model
    assert "another thread of this process is training" in out and "<- cache" in out, out
    assert f"kill {os.getpid()}" not in out  # probe 34: was told to kill its own process
    torch.testing.assert_close(
        made["second"].ensemble.state_dict(), made["first"].ensemble.state_dict()
    )


def test_transition_and_step_with_name_an_argument_that_is_not_a_tensor(tiny_mdp):
    obs = tiny_mdp.initial(4, np.random.default_rng(0))
    action = torch.zeros(4, 3, device=tiny_mdp.device)
    rng = np.random.default_rng(1)
    # numpy arrays: was a raw AttributeError "'numpy.ndarray' object has no attribute 'dim'"
    with pytest.raises(ValueError, match=r"^obs: expected a torch.Tensor .* got ndarray"):
        tiny_mdp.transition(obs.cpu().numpy(), action, rng)
    with pytest.raises(ValueError, match=r"^action: expected a torch.Tensor .* got ndarray"):
        tiny_mdp.transition(obs, np.zeros((4, 3), dtype=np.float32), rng)
    with pytest.raises(ValueError, match=r"^action: expected a torch.Tensor .* got list"):
        tiny_mdp.transition(obs, [[0.0] * 3] * 4, rng)
    with pytest.raises(ValueError, match=r"^rng: expected a numpy.random.Generator"):
        tiny_mdp.transition(obs, action, 0)
    member_idx, noise = tiny_mdp.draw(4, rng)
    with pytest.raises(ValueError, match=r"^noise: expected a torch.Tensor .* got ndarray"):
        tiny_mdp.step_with(obs, action, member_idx, noise.cpu().numpy())
    elsewhere = torch.zeros(4, 3, device="meta")
    with pytest.raises(ValueError, match=r"^action: a tensor on meta, but the mdp is on"):
        tiny_mdp.transition(obs, elsewhere, rng)
    tiny_mdp.transition(obs, action, rng)  # tensors on the mdp's device: fine


def test_transition_and_step_with_refuse_non_finite_obs_or_action(tiny_mdp):
    """Probe 19: NaN / inf rows were stepped into NaN next states without a word."""
    obs = tiny_mdp.initial(4, np.random.default_rng(0))
    action = torch.zeros(4, 3, device=tiny_mdp.device)
    rng = np.random.default_rng(1)
    bad_obs = obs.clone()
    bad_obs[2, 5] = float("nan")
    with pytest.raises(ValueError, match=r"^obs\[2, 5\]: not finite \(nan\); .* drop or fix"):
        tiny_mdp.transition(bad_obs, action, rng)
    bad_action = action.clone()
    bad_action[1, 0] = float("inf")
    with pytest.raises(ValueError, match=r"^action\[1, 0\]: not finite \(inf\)"):
        tiny_mdp.step_with(obs, bad_action, *tiny_mdp.draw(4, rng))
    state = rng.bit_generator.state
    with pytest.raises(ValueError, match="not finite"):
        tiny_mdp.transition(obs, bad_action, rng)
    assert rng.bit_generator.state == state  # refused before the draw
    next_obs, _, _ = tiny_mdp.transition(bad_obs, action, rng, check_finite=False)
    assert torch.isnan(next_obs[2]).all()  # the front-ends' hot loops skip the check
    with pytest.raises(ValueError, match=r"^obs: no rows \(shape \(0, 11\)\)"):
        tiny_mdp.transition(obs[:0], action[:0], rng)  # was the draw's "n: expected a positive"


def test_a_check_finite_switch_that_is_not_a_bool_and_a_non_finite_noise_are_refused(tiny_mdp):
    """Probe 21: transition / step_with(check_finite="no") was truthy (checked anyway, silently);
    step_with with a NaN in the caller's noise returned NaN next states without a word."""
    rng = np.random.default_rng(0)
    obs, action = tiny_mdp.initial(2, rng), torch.zeros(2, 3)
    member_idx, noise = tiny_mdp.draw(2, rng)
    with pytest.raises(ValueError, match="check_finite: expected True or False, got str 'no'"):
        tiny_mdp.transition(obs, action, rng, check_finite="no")
    with pytest.raises(ValueError, match="check_finite: expected True or False"):
        tiny_mdp.step_with(obs, action, member_idx, noise, check_finite=1)
    noise[1, 0] = float("nan")
    with pytest.raises(ValueError, match=r"noise\[1, 0\]: not finite \(nan\)"):
        tiny_mdp.step_with(obs, action, member_idx, noise)


def test_start_obs_that_is_not_an_array_is_named(tiny_mdp):
    """Probe 21: ``LearnedMDP(…, start_obs=None)`` was torch's raw "must be real number"."""
    with pytest.raises(ValueError, match="start_obs: expected a tensor or numpy array"):
        LearnedMDP(tiny_mdp.ensemble, tiny_mdp.normalizer, hopper_terminated, None)


def test_make_mdp_takes_env_id_for_data_that_name_no_env(tmp_path, tiny_dataset, capsys):
    """Probe 43 row 53: the loader's advice on data naming no env ("pass env_id=... (--env-id)")
    was, on make_mdp's path, Python's raw "make_mdp() got an unexpected keyword argument
    'env_id'". make_mdp passes it to load_dataset (a path, a name or a dataset object)."""
    path = dataclasses.replace(tiny_dataset, env_id=None).to_npz(tmp_path / "unnamed.npz")
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    capsys.readouterr()
    mdp = make_mdp(str(path), env_id="Hopper-v5", cache=False, **kwargs)
    assert mdp.env_id == "Hopper-v5"
    assert "names no Gymnasium env" not in capsys.readouterr().out
    unnamed = dataclasses.replace(tiny_dataset, env_id=None)
    assert make_mdp(unnamed, env_id="Hopper-v5", cache=False, **kwargs).env_id == "Hopper-v5"


def test_make_mdp_takes_numpy_ints_for_its_seeds(tiny_dataset, capsys):
    """Probe 61: ``make_mdp(ds, seed=np.int64(1))`` and ``MLEConfig(seed=np.int64(1),
    max_epochs=np.int64(2))`` passed their checks, then the model cache key's JSON raised a raw
    "Object of type int64 is not JSON serializable" after the dataset load. Same model as with
    Python ints (the same cache entry)."""
    mle = dataclasses.replace(TINY_MLE, seed=np.int64(1), max_epochs=np.int64(TINY_MLE.max_epochs))
    assert type(mle.seed) is int and type(mle.max_epochs) is int
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, progress=False)
    made = make_mdp(tiny_dataset, seed=np.int64(1), mle_config=mle, **kwargs)
    capsys.readouterr()
    again = make_mdp(
        tiny_dataset, seed=1, mle_config=dataclasses.replace(TINY_MLE, seed=1), **kwargs
    )
    assert "<- cache" in capsys.readouterr().out
    torch.testing.assert_close(again.ensemble.state_dict(), made.ensemble.state_dict())


def test_a_junk_cache_entry_is_said_once_in_full_and_retrained(tiny_dataset, capsys):
    """Probe 63 row 26: the notice quoted load_model's message cut at 160 characters mid-word
    ("save the model agai)") and repeated the path."""
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    make_mdp(tiny_dataset, seed=3, **kwargs)
    path = Path(re.search(r"saved to (\S+\.pt)", capsys.readouterr().out).group(1))
    path.write_bytes(b"junk" * 100)
    make_mdp(tiny_dataset, seed=3, **kwargs)
    out = capsys.readouterr().out
    assert (
        f"[rambo_env] cached dynamics model {path} is unreadable (ValueError: not a torch file: it "
        "does not begin as one); removing it and training anew\n"
    ) in out
    assert "trained" in out and path.is_file()
