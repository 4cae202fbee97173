"""Issue 12: ``FusedSAC`` computes SB3's SAC gradient step in fewer pieces, with the same numbers."""

from __future__ import annotations

import copy
import pickle
import re

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3 import SAC, TD3
from stable_baselines3.common.env_util import DummyVecEnv
from stable_baselines3.common.logger import configure

from agents.factory import AGENT_CLASSES, LrScaledAdam, make_agent, set_ent_coef_max
from agents.fused import FusedSAC, squashed_gaussian_sample
from agents.policies import FlooredSACPolicy


def _pendulum():
    return gym.make("Pendulum-v1")


def _collected(policy="MlpPolicy", ent_coef_max=None, **kwargs) -> FusedSAC:
    """A small FusedSAC with 300 collected transitions (no updates yet)."""
    kwargs.setdefault("policy_kwargs", {})
    kwargs["policy_kwargs"] = {
        "net_arch": [32, 32],
        "optimizer_class": LrScaledAdam,
        **kwargs["policy_kwargs"],
    }
    model = FusedSAC(
        policy,
        DummyVecEnv([_pendulum]),
        learning_starts=0,
        batch_size=32,
        gradient_steps=0,
        seed=0,
        device="cpu",
        **kwargs,
    )
    model.learn(300, log_interval=None)
    if ent_coef_max is not None:
        set_ent_coef_max(model, ent_coef_max)
    model.set_logger(configure(None, []))
    return model


def _train(model, n: int, library: bool) -> dict[str, float]:
    """``n`` gradient steps from fixed seeds; returns what the step logged."""
    torch.manual_seed(7)
    np.random.seed(7)  # noqa: NPY002 - SB3's ReplayBuffer draws its indices from numpy's global RNG
    (SAC.train if library else FusedSAC.train)(model, n, 32)
    return dict(model.logger.name_to_value)


def _state(model) -> list[torch.Tensor]:
    tensors = [*model.policy.state_dict().values()]
    if model.log_ent_coef is not None:
        tensors.append(model.log_ent_coef.detach())
    for opt in (model.actor.optimizer, model.critic.optimizer, model.ent_coef_optimizer):
        if opt is not None:
            for state in opt.state.values():
                tensors += [v for v in state.values() if torch.is_tensor(v)]
    return [t.detach().clone() for t in tensors]


CONFIGS = {
    "learned α": {},
    "learned α, capped (OfflineRL-Kit)": {"ent_coef_max": 1.0},
    "fixed α": {"ent_coef": 0.2},
    "LayerNorm critics, log-σ floor": {
        "policy": FlooredSACPolicy,
        "policy_kwargs": {"critic_layer_norm": True, "log_std_min": -5.0},
    },
    "target every 2 steps, 2 critics of 3": {
        "target_update_interval": 2,
        "policy_kwargs": {"n_critics": 3},
    },
}


@pytest.mark.parametrize("config", list(CONFIGS), ids=list(CONFIGS))
def test_fused_step_equals_sb3_sac_train_bitwise(config):
    """Same seeds, same start: 12 eager fused steps leave every weight, target weight, α and Adam
    moment equal to SB3's ``SAC.train`` bit for bit, and log the same values."""
    fused = _collected(**CONFIGS[config])
    library = copy.deepcopy(fused)
    logged_fused = _train(fused, 12, library=False)
    logged_library = _train(library, 12, library=True)
    before = _state(_collected(**CONFIGS[config]))
    after_fused, after_library = _state(fused), _state(library)
    assert len(after_fused) == len(after_library) > 10
    assert any(not torch.equal(a, b) for a, b in zip(after_fused, before, strict=True))
    for a, b in zip(after_fused, after_library, strict=True):
        assert torch.equal(a, b)
    assert logged_fused.keys() == logged_library.keys()
    for key, value in logged_library.items():
        assert logged_fused[key] == pytest.approx(value, rel=1e-6, abs=1e-7), key


def test_fused_step_memory_does_not_grow_with_gradient_steps(monkeypatch):
    """Probe 14: the logged means were kept as one row per step, allocated up front: a run with
    --agent-steps-per-iteration 1e9 died in torch's raw "can't allocate memory" (16 GB)."""
    model = _collected()
    shapes, zeros = [], torch.zeros

    def recording_zeros(*args, **kwargs):
        out = zeros(*args, **kwargs)
        shapes.append(tuple(out.shape))
        return out

    monkeypatch.setattr(torch, "zeros", recording_zeros)
    _train(model, 7, library=False)
    assert not [shape for shape in shapes if 7 in shape], shapes


def test_compiled_fused_step_matches_the_library_to_float32_rounding():
    """``compile=True`` (inductor) equals SB3's step to 1e-5 relative (reductions reordered)."""
    fused = _collected()
    fused.compile = True
    library = copy.deepcopy(fused)
    _train(fused, 8, library=False)
    _train(library, 8, library=True)
    assert fused._fused_losses[0].active and fused._fused_losses[1].active
    a = torch.cat([t.flatten() for t in _state(fused)])
    b = torch.cat([t.flatten() for t in _state(library)])
    assert torch.linalg.vector_norm(a - b) <= 1e-5 * torch.linalg.vector_norm(b)


def test_a_copy_of_a_trained_agent_trains_its_own_networks():
    """The loss functions close over the networks: a deepcopy made after training must not keep
    updating the original's networks (nor leave its own untouched)."""
    original = _collected()
    _train(original, 2, library=False)
    copied = copy.deepcopy(original)
    frozen = _state(original)
    _train(copied, 3, library=False)
    assert all(torch.equal(a, b) for a, b in zip(_state(original), frozen, strict=True))
    assert any(not torch.equal(a, b) for a, b in zip(_state(copied), frozen, strict=True))
    copied.target_entropy = -3.0  # SB3 reads it at every step: the cached losses must follow
    reference = copy.deepcopy(copied)
    _train(copied, 2, library=False)
    _train(reference, 2, library=True)
    assert all(torch.equal(a, b) for a, b in zip(_state(copied), _state(reference), strict=True))


def test_a_pickled_agent_round_trips_and_trains():
    """multiprocessing, joblib and Ray hand agents over pickled: the cached loss closures are
    dropped and rebuilt, and the copy trains as the original does."""
    original = _collected()
    _train(original, 1, library=False)
    copied = pickle.loads(pickle.dumps(original))
    assert copied._fused_losses is None and original._fused_losses is not None
    _train(copied, 2, library=False)
    _train(original, 2, library=False)
    assert all(torch.equal(a, b) for a, b in zip(_state(copied), _state(original), strict=True))


def test_squashed_sample_is_sb3s_rsample_for_the_same_draw():
    model = _collected()
    obs = torch.randn(64, 3, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(3)
    actions, log_prob = model.actor.action_log_prob(obs)
    torch.manual_seed(3)
    eps = torch.empty((64, 1)).normal_()
    ours = squashed_gaussian_sample(model.actor, obs, eps)
    assert torch.equal(ours[0], actions) and torch.equal(ours[1], log_prob)


def test_configurations_the_fused_step_does_not_cover_run_the_library_train():
    """gSDE draws its noise differently: FusedSAC must hand such a model to SAC.train."""
    fused, library = _collected(use_sde=True), _collected(use_sde=True)  # gSDE: no deepcopy
    assert not fused.fused
    _train(fused, 5, library=False)
    _train(library, 5, library=True)
    for a, b in zip(_state(fused), _state(library), strict=True):
        assert torch.equal(a, b)
    assert _collected().fused


def test_fused_sac_saves_and_loads_as_an_ordinary_sb3_model(tmp_path):
    model = _collected()
    model.compile = True
    model.save(tmp_path / "agent.zip")
    loaded = FusedSAC.load(tmp_path / "agent.zip", device="cpu")
    assert loaded.compile is True and loaded._fused_losses is None
    # a plain SB3 SAC zip loads into FusedSAC (old checkpoints), and FusedSAC's into SAC
    SAC("MlpPolicy", DummyVecEnv([_pendulum]), device="cpu").save(tmp_path / "plain.zip")
    assert FusedSAC.load(tmp_path / "plain.zip", device="cpu").compile is False
    assert isinstance(SAC.load(tmp_path / "agent.zip", device="cpu"), SAC)


def test_make_agent_builds_fused_sac_and_refuses_compile_elsewhere(monkeypatch):
    from agents.vec_env import RamboModelVecEnv
    from rambo_env.bench import BenchConfig, synthetic_dataset, synthetic_mdp

    assert AGENT_CLASSES["sac"] is FusedSAC and issubclass(FusedSAC, SAC)
    cfg = BenchConfig.quick()
    dataset = synthetic_dataset(cfg, n=2000)
    mdp = synthetic_mdp(dataset, cfg, torch.device("cpu"))
    vec_env = RamboModelVecEnv(mdp, 8, rollout_length=2, seed=0)
    args = (vec_env, dataset, mdp.normalizer)
    agent = make_agent("sac", *args, rollout_length=2, device="cpu", compile=True)
    assert isinstance(agent, FusedSAC) and agent.compile is True
    assert make_agent("sac", *args, rollout_length=2, device="cpu").compile is False
    assert isinstance(make_agent("td3", *args, rollout_length=2, device="cpu"), TD3)
    with pytest.raises(ValueError, match=r"compile: only \['sac'\] .* not 'td3'"):
        make_agent("td3", *args, rollout_length=2, device="cpu", compile=True)
    with pytest.raises(ValueError, match="compile"):
        make_agent("sac", *args, rollout_length=2, device="cpu", compile="no")


@pytest.mark.parametrize("algo", ["sac", "td3"])
def test_learn_of_an_agent_loaded_without_env_names_the_fix(tmp_path, algo):
    """Probe 43 row 65: ``FusedSAC.load(zip[, dataset=ds]).learn(16)`` was SB3's raw
    ``AssertionError: You must set the environment before calling _setup_learn()``."""
    cls = AGENT_CLASSES[algo]
    agent = cls("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu")
    agent.save(tmp_path / "agent.zip")
    loaded = cls.load(tmp_path / "agent.zip", device="cpu")
    for steps in (16, 0):
        with pytest.raises(ValueError) as refused:
            loaded.learn(steps)
        assert str(refused.value) == (
            "learn: this agent has no env (loaded without one); pass env= to load (e.g. "
            f"{cls.__name__}.load(path, env=RamboModelVecEnv(mdp, num_envs=1), dataset=ds)) or "
            "call agent.set_env(…) first"
        )
    loaded.set_env(DummyVecEnv([_pendulum]))
    assert loaded.learn(4).num_timesteps == 4


@pytest.mark.parametrize("algo", ["sac", "td3", "ddpg", "tqc", "crossq"])
def test_save_and_load_name_a_bad_path(tmp_path, algo):
    """Probe 15: ``agent.save("/proc/agent.zip")`` was SB3's ``RecursionError: maximum recursion
    depth exceeded``; ``FusedSAC.load`` of a run's ``checkpoint.pt`` (or any non-agent file) was
    ``AssertionError: No data found in the saved file``, of a missing path ``… missing.zip.zip``.
    Probe 16: the same for TD3 / DDPG / TQC / CrossQ (and a raw ``NotADirectoryError`` for a
    folder under a file)."""
    cls = AGENT_CLASSES[algo]
    agent = cls("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu")
    (tmp_path / "file").write_text("x")
    for bad, match in (
        (tmp_path / "file" / "a.zip", "is not a folder"),
        ("/proc/a.zip", "not writable"),
    ):
        with pytest.raises(ValueError, match=rf"path: the folder .* {match}"):
            agent.save(bad)
    agent.save(tmp_path / "agent.zip")
    assert type(cls.load(tmp_path / "agent", device="cpu")) is cls  # SB3 adds .zip
    torch.save({"agent": 1}, tmp_path / "checkpoint.pt")
    saved_by = "FusedSAC.save / SAC.save" if algo == "sac" else f"{cls.__name__}.save"
    for bad, match in (
        (tmp_path / "checkpoint.pt", "not an agent saved by save()"),
        (tmp_path / "file", "not an agent saved by save()"),
        (tmp_path, "a folder, not a file"),
        (tmp_path / "missing", r"no such file \(nor .*missing\.zip\)"),
    ):
        with pytest.raises(ValueError, match=rf"path: .*: {match}.*{re.escape(saved_by)}.*load_se"):
            cls.load(bad)


def test_load_checks_the_device_before_reading_the_file(tmp_path):
    """Probe 22: ``FusedSAC.load(path, device="gpu" / "" / 5)`` was torch's raw RuntimeError
    ("Expected one of cpu, cuda, …", "Device string must not be empty") after the file was read."""
    agent = FusedSAC("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu")
    agent.save(tmp_path / "agent.zip")
    for bad in ("gpu", "", 5):
        with pytest.raises(ValueError, match=r"^device: "):
            FusedSAC.load(tmp_path / "agent.zip", device=bad)
    with pytest.raises(ValueError, match=r"^device: "):
        FusedSAC.load(tmp_path / "agent.zip", None, "gpu")  # SB3's positional device
    assert type(FusedSAC.load(tmp_path / "agent.zip", device="cpu")) is FusedSAC


@pytest.mark.parametrize("algo", ["sac", "td3"])
def test_save_is_atomic_and_refuses_a_folder_at_the_path(tmp_path, algo, monkeypatch):
    """Probe 19: Ctrl-C (or a full disk) during SB3's ``save`` left a cut zip over the previous
    agent; a folder at the path was saved to ``<path>_2`` with a warning only."""
    import stable_baselines3.common.base_class as base_class

    cls = AGENT_CLASSES[algo]
    agent = cls("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu")
    agent.save(tmp_path / "agent")  # SB3's .zip ending is kept
    before = (tmp_path / "agent.zip").read_bytes()
    real = base_class.save_to_zip_file

    def interrupted(save_path, *args, **kwargs):
        save_path.write(b"half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(base_class, "save_to_zip_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        agent.save(tmp_path / "agent.zip")
    monkeypatch.setattr(base_class, "save_to_zip_file", real)
    assert (tmp_path / "agent.zip").read_bytes() == before  # the previous agent is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agent.zip"]  # no temp file left
    (tmp_path / "dir.zip").mkdir()
    with pytest.raises(ValueError, match=r"path: .*dir.zip is a folder, not a file; move it"):
        agent.save(tmp_path / "dir.zip")
    assert not (tmp_path / "dir.zip_2").exists()
    assert type(cls.load(tmp_path / "agent.zip", device="cpu")) is cls


def test_load_names_a_zip_saved_by_another_algorithm(tmp_path):
    """Probe 19: ``TD3.load`` of a SAC zip was a raw ``AttributeError: … 'actor_target'``,
    ``FusedSAC.load`` of a TD3 zip "'NoneType' object has no attribute 'action_space'", and
    ``TQC.load`` of a SAC zip was taken (a TQC holding SAC's policy)."""
    for algo in ("sac", "td3"):
        agent = AGENT_CLASSES[algo]("MlpPolicy", "Pendulum-v1", buffer_size=10, device="cpu")
        agent.save(tmp_path / f"{algo}.zip")
    for algo, saved, policy in (("td3", "sac", "SACPolicy"), ("sac", "td3", "TD3Policy"),
                                ("tqc", "sac", "SACPolicy")):  # fmt: skip
        cls = AGENT_CLASSES[algo]
        with pytest.raises(ValueError, match=rf"{saved}.zip: an agent whose policy is a {policy} "
                           rf"\(saved by another algorithm\), but {cls.__name__} uses"):  # fmt: skip
            cls.load(tmp_path / f"{saved}.zip", device="cpu")
    # probe 42 row 82: TD3 and DDPG share TD3Policy; told apart by DDPG's fixed settings
    AGENT_CLASSES["ddpg"]("MlpPolicy", "Pendulum-v1", buffer_size=10, device="cpu").save(
        tmp_path / "ddpg.zip"
    )
    with pytest.raises(ValueError) as refused:
        AGENT_CLASSES["ddpg"].load(tmp_path / "td3", device="cpu")
    assert str(refused.value) == (
        f"path: {tmp_path / 'td3'}: a TD3 agent (policy_delay 2, target_noise_clip 0.5, "
        "target_policy_noise 0.2; DDPG's are fixed at 1, 0.0, 0.1), but this is DDPG.load, which "
        "loads DDPG agents (both use TD3Policy); load it with the class that saved it "
        "(agents.factory.AGENT_CLASSES['td3'])"
    )
    with pytest.raises(ValueError, match=r"ddpg.zip: a DDPG agent \(policy_delay 1, target_no"):
        AGENT_CLASSES["td3"].load(tmp_path / "ddpg.zip", device="cpu")
    assert type(AGENT_CLASSES["ddpg"].load(tmp_path / "ddpg", device="cpu")).__name__ == "DDPG"
    assert type(AGENT_CLASSES["td3"].load(tmp_path / "td3", device="cpu")).__name__ == "TD3"
    assert type(SAC.load(tmp_path / "sac.zip", device="cpu")) is SAC  # SB3's own class: as before


@pytest.mark.parametrize("algo", ["sac", "td3", "ddpg", "tqc", "crossq"])
def test_set_parameters_refuses_non_finite_or_misshapen_weights_loading_nothing(tmp_path, algo):
    """Probe 57 rows 23-24: ``set_parameters({'policy': {…NaN…}}, exact_match=False)`` was taken
    without a word (the next ``predict`` was torch's raw "Expected parameter loc … found invalid
    values"); a weight of another shape was torch's raw "Error(s) in loading state_dict … size
    mismatch", after the weights before it had been copied."""
    cls = AGENT_CLASSES[algo]
    agent = cls("MlpPolicy", "Pendulum-v1", buffer_size=10, device="cpu")
    before = copy.deepcopy(agent.get_parameters())
    keys = [k for k, v in before["policy"].items() if v.is_floating_point() and v.numel() > 1]
    first, last = keys[0], keys[-1]

    def unchanged() -> bool:
        now = agent.get_parameters()["policy"]
        return all(torch.equal(now[k], v) for k, v in before["policy"].items())

    nan = before["policy"][last].clone()
    nan.view(-1)[0] = float("nan")
    given = {"policy": {first: before["policy"][first] + 1, last: nan}}
    with pytest.raises(ValueError) as refused:
        agent.set_parameters(given, exact_match=False)
    assert str(refused.value) == (
        f"set_parameters: policy[{last!r}] holds NaN / inf (1 of {nan.numel()} entries); load "
        "finite weights, e.g. those of a checkpoint saved before the agent diverged (nothing was "
        "loaded)"
    )
    assert unchanged()
    given = {"policy": {first: before["policy"][first] + 1, last: torch.zeros(2)}}
    with pytest.raises(ValueError) as refused:
        agent.set_parameters(given, exact_match=False)
    shape = tuple(before["policy"][last].shape)
    assert str(refused.value) == (
        f"set_parameters: policy[{last!r}] has shape (2,), but this agent's is {shape}: the "
        "weights are of an agent of other sizes (net_arch, observation or action dims); give "
        "weights of an agent built like this one (nothing was loaded)"
    )
    assert unchanged()
    # a zip of an agent of other sizes, and a saved agent whose weights are NaN (through load)
    small = cls("MlpPolicy", "Pendulum-v1", buffer_size=10, device="cpu",
                policy_kwargs={"net_arch": [8]})  # fmt: skip
    small.save(tmp_path / "small.zip")
    with pytest.raises(ValueError, match=r"^set_parameters: policy\[.*\] has shape \(8, 3\), "):
        agent.set_parameters(str(tmp_path / "small.zip"))
    assert unchanged()
    with torch.no_grad():
        dict(small.policy.named_parameters())[first].fill_(float("inf"))
    small.save(tmp_path / "nan.zip")
    with pytest.raises(ValueError) as refused:
        cls.load(tmp_path / "nan.zip", device="cpu")
    assert str(refused.value).startswith(
        f"path: {tmp_path / 'nan.zip'}: policy[{first!r}] holds NaN / inf ("
    )
    agent.set_parameters(before, exact_match=True)  # finite weights of this agent: as before
    assert unchanged()


def test_set_parameters_refuses_a_module_none_of_whose_keys_fit():
    """Probe 58 row 10: ``set_parameters({'policy': {'nosuch.weight': …}}, exact_match=False)``
    loaded nothing without a word (torch's strict=False ignores unknown keys); a partial dict
    stays accepted (what exact_match=False is for)."""
    agent = AGENT_CLASSES["sac"]("MlpPolicy", "Pendulum-v1", buffer_size=10, device="cpu")
    own = list(agent.get_parameters()["policy"])
    with pytest.raises(ValueError) as refused:
        agent.set_parameters({"policy": {"nosuch.weight": torch.zeros(2)}}, exact_match=False)
    assert str(refused.value) == (
        f"set_parameters: policy: no given key is one of this agent's (given 'nosuch.weight'; "
        f"this agent's {own[0]!r}, {own[1]!r}, {own[2]!r} …); give the state dict of "
        "agent.get_parameters()['policy'], with its key names (nothing was loaded)"
    )
    before = agent.get_parameters()["policy"][own[0]].clone()
    agent.set_parameters({"policy": {own[0]: before + 1, "nosuch.weight": torch.zeros(2)}},
                         exact_match=False)  # fmt: skip
    assert torch.equal(agent.get_parameters()["policy"][own[0]], before + 1)
