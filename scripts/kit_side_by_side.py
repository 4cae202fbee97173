# ruff: noqa: NPY002  (Kit draws from numpy's global RNG; the gym shim precedes Kit's imports)
"""OfflineRL-Kit's RAMBO (commit e3ce697) on rambo-env's generated hopper-medium, for side-by-side A/Bs.

Not part of the package: a research tool for issue 15. It mirrors Kit's
``run_example/run_rambo.py`` line by line; the only glue is a ``gym`` shim (Kit imports gym for
type hints only), our dataset as Kit's dict, Gymnasium Hopper-v5 for evaluation, and the average
Q (min of the twin critics) on 2560 fixed dataset rows written per iteration to a CSV with the
same columns as ``scripts/curves.py``. Budget cuts, as rambo-env's default preset: dynamics MLE
capped at 1 epoch, BC 1 epoch (Kit's MSE-on-sampled-actions BC). Kit's official-schedule
rollouts (once per 1000 steps, 1.25 M pool). ``DYN_UPDATE_FREQ`` 0 skips the adversary (λ = 0
as the official code does), 1000 runs it every iteration.

    # needs a checkout of github.com/yihaosun1124/OfflineRL-Kit at e3ce697 (the search tool's fetch)
    KIT_ROOT=/path/to/OfflineRL-Kit python scripts/kit_side_by_side.py ADV_WEIGHT DYN_UPDATE_FREQ EPOCHS OUT.csv [SEED [DYNAMICS.pt]]
"""

import csv
import os
import random
import sys
import time
import types
from pathlib import Path

# probe 107 row 9: the clone's own package, not an installed copy (was: two copies in one run)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.requirements import check_working_folder

check_working_folder()  # before torch, whose import dies raw in a deleted working folder

import gymnasium

gym = types.ModuleType("gym")
gym.Env = gymnasium.Env
gym.spaces = gymnasium.spaces
envs = types.ModuleType("gym.envs")
muj = types.ModuleType("gym.envs.mujoco")
mujoco_env = types.ModuleType("gym.envs.mujoco.mujoco_env")
mujoco_env.MujocoEnv = object
gym.envs = envs
envs.mujoco = muj
muj.mujoco_env = mujoco_env
sys.modules.update(
    {"gym": gym, "gym.envs": envs, "gym.envs.mujoco": muj, "gym.envs.mujoco.mujoco_env": mujoco_env}
)

import numpy as np
import torch

USAGE = (
    "usage: KIT_ROOT=/path/to/OfflineRL-Kit python scripts/kit_side_by_side.py ADV_WEIGHT "
    "DYN_UPDATE_FREQ EPOCHS OUT.csv [SEED [DYNAMICS.pt]]"
)


def check_invocation(argv: list[str], kit_root: str | None) -> None:
    """``--help``, the arguments and ``KIT_ROOT`` before anything is imported from Kit or loaded:
    was a raw ``KeyError: 'KIT_ROOT'`` (also for ``--help``) or ``IndexError`` traceback."""
    if any(a in ("-h", "--help") for a in argv[1:]):
        print(__doc__ or "(python -OO strips this help: run without -OO to read it)")
        sys.exit(0)
    problem = None
    if not 5 <= len(argv) <= 7:
        # probe 34: the line said no more (the usage line below it was missed)
        problem = (
            "expected 4 to 6 arguments (ADV_WEIGHT DYN_UPDATE_FREQ EPOCHS OUT.csv [SEED "
            f"[DYNAMICS.pt]]), got {len(argv) - 1}"
        )
    else:
        try:
            float(argv[1]), int(argv[2]), int(argv[3]), int(argv[5]) if len(argv) > 5 else 0
        except ValueError as err:
            problem = f"ADV_WEIGHT is a number, DYN_UPDATE_FREQ, EPOCHS and SEED ints ({err})"
    if problem is None and not (kit_root and os.path.isdir(os.path.join(kit_root, "offlinerlkit"))):
        what = f"{kit_root!r} is not a checkout of" if kit_root else "not set; it names"
        problem = (
            f"KIT_ROOT: {what} OfflineRL-Kit (a folder holding its offlinerlkit/ package); "
            "clone github.com/yihaosun1124/OfflineRL-Kit at e3ce697 and point KIT_ROOT at it"
        )
    if problem is not None:
        print(f"error: {problem}\n{USAGE}", file=sys.stderr)
        sys.exit(2)


if os.environ.get("KIT_ROOT", "").startswith("~"):  # probe 69: a quoted ~ was "not a checkout"
    os.environ["KIT_ROOT"] = os.path.expanduser(os.environ["KIT_ROOT"])
from rambo_env.run_io import tolerant_console

tolerant_console()  # probe 145 R8: --help in an ASCII locale was a raw UnicodeEncodeError
check_invocation(sys.argv, os.environ.get("KIT_ROOT"))
torch.set_num_threads(1)
sys.path.insert(0, os.environ["KIT_ROOT"])
try:  # was: a raw ModuleNotFoundError traceback for a partial checkout or a missing requirement
    from offlinerlkit.buffer import ReplayBuffer
    from offlinerlkit.dynamics import EnsembleDynamics
    from offlinerlkit.modules import ActorProb, Critic, EnsembleDynamicsModel, TanhDiagGaussian
    from offlinerlkit.nets import MLP
    from offlinerlkit.policy import RAMBOPolicy
    from offlinerlkit.policy_trainer import MBPolicyTrainer
    from offlinerlkit.utils.logger import Logger, make_log_dirs
    from offlinerlkit.utils.scaler import StandardScaler
    from offlinerlkit.utils.termination_fns import get_termination_fn, obs_unnormalization
except ImportError as err:
    print(
        f"error: KIT_ROOT: importing OfflineRL-Kit from {os.environ['KIT_ROOT']!r} failed "
        f"({type(err).__name__}: {err}); check it out at e3ce697 there (a complete checkout) "
        f"and install its requirements\n{USAGE}",
        file=sys.stderr,
    )
    sys.exit(2)

from rambo_env.data.loaders import load_dataset

adv_weight, dyn_freq, n_epoch, out_csv = (
    float(sys.argv[1]),
    int(sys.argv[2]),
    int(sys.argv[3]),
    sys.argv[4],
)
seed = int(sys.argv[5]) if len(sys.argv) > 5 else 0


class EvalEnv:
    def __init__(self, seed):
        self.env = gymnasium.make("Hopper-v5")
        self.seed = seed

    def reset(self):
        obs, _ = self.env.reset(seed=self.seed)
        self.seed += 1
        return obs

    def step(self, a):
        o, r, term, trunc, info = self.env.step(a)
        return o, r, term or trunc, info

    def get_normalized_score(self, x):
        return (x + 20.272305) / (3234.3 + 20.272305)


d = load_dataset("hopper-medium")
dataset = {
    "observations": d.observations,
    "actions": d.actions,
    "next_observations": d.next_observations,
    "rewards": d.rewards,
    "terminals": d.terminals.astype(np.float32),
}
obs_shape, action_dim, max_action = (d.observations.shape[1],), d.actions.shape[1], 1.0
random.seed(seed)
np.random.seed(seed)
torch.manual_seed(seed)
actor_backbone = MLP(input_dim=obs_shape[0], hidden_dims=[256, 256])
c1 = MLP(input_dim=obs_shape[0] + action_dim, hidden_dims=[256, 256])
c2 = MLP(input_dim=obs_shape[0] + action_dim, hidden_dims=[256, 256])
dist = TanhDiagGaussian(
    latent_dim=256, output_dim=action_dim, unbounded=True, conditioned_sigma=True, max_mu=max_action
)
actor = ActorProb(actor_backbone, dist, "cpu")
critic1 = Critic(c1, "cpu")
critic2 = Critic(c2, "cpu")
actor_optim = torch.optim.Adam(actor.parameters(), lr=1e-4)
critic1_optim = torch.optim.Adam(critic1.parameters(), lr=3e-4)
critic2_optim = torch.optim.Adam(critic2.parameters(), lr=3e-4)
log_alpha = torch.zeros(1, requires_grad=True)
alpha_optim = torch.optim.Adam([log_alpha], lr=1e-4)
alpha = (-action_dim, log_alpha, alpha_optim)
real_buffer = ReplayBuffer(
    len(dataset["observations"]), obs_shape, np.float32, action_dim, np.float32, "cpu"
)
real_buffer.load_dataset(dataset)
obs_mean, obs_std = real_buffer.normalize_obs()
rollout_freq = 1000
fake_buffer = ReplayBuffer(
    1000 // rollout_freq * 5 * 50000 * 5, obs_shape, np.float32, action_dim, np.float32, "cpu"
)
dyn_model = EnsembleDynamicsModel(
    obs_dim=obs_shape[0],
    action_dim=action_dim,
    hidden_dims=[200] * 4,
    num_ensemble=7,
    num_elites=5,
    weight_decays=[2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4],
    device="cpu",
)
dyn_optim = torch.optim.Adam(dyn_model.parameters(), lr=3e-4)
dyn_adv_optim = torch.optim.Adam(dyn_model.parameters(), lr=3e-4)
termination_fn = obs_unnormalization(get_termination_fn(task="hopper-medium-v2"), obs_mean, obs_std)
dynamics = EnsembleDynamics(dyn_model, dyn_optim, StandardScaler(), termination_fn)
policy = RAMBOPolicy(
    dynamics,
    actor,
    critic1,
    critic2,
    actor_optim,
    critic1_optim,
    critic2_optim,
    dyn_adv_optim,
    tau=0.005,
    gamma=0.99,
    alpha=alpha,
    adv_weight=adv_weight,
    adv_rollout_length=5,
    adv_rollout_batch_size=256,
    include_ent_in_adv=False,
    scaler=StandardScaler(mu=obs_mean, std=obs_std),
    device="cpu",
).to("cpu")
log_dirs = make_log_dirs("hopper-medium", f"rambo-ab-{adv_weight}", seed, {})
logger = Logger(
    log_dirs,
    {
        "consoleout_backup": "stdout",
        "policy_training_progress": "csv",
        "dynamics_training_progress": "csv",
        "tb": "tensorboard",
    },
)
trainer = MBPolicyTrainer(
    policy=policy,
    eval_env=EvalEnv(seed),
    real_buffer=real_buffer,
    fake_buffer=fake_buffer,
    logger=logger,
    rollout_setting=(rollout_freq, 50000, 5),
    dynamics_update_freq=dyn_freq,
    epoch=n_epoch,
    step_per_epoch=1000,
    batch_size=256,
    real_ratio=0.5,
    eval_episodes=10,
)
rows = torch.from_numpy(np.random.default_rng(123).integers(0, len(d.rewards), 2560))
q_obs = torch.as_tensor(real_buffer.observations[rows.numpy()])
q_act = torch.as_tensor(real_buffer.actions[rows.numpy()])
t0 = time.time()
policy.pretrain(real_buffer.sample_all(), 1, 256, 1e-4, logger)
dynamics.train(
    real_buffer.sample_all(),
    logger,
    holdout_ratio=0.1,
    logvar_loss_coef=0.001,
    max_epochs_since_update=10,
    max_epochs=1,
)
if len(sys.argv) > 6:  # the trained dynamics, to port into rambo-env (obs normalised with Kit's ε)
    torch.save(
        {
            "model": dyn_model.state_dict(),
            "scaler_mu": dynamics.scaler.mu,
            "scaler_std": dynamics.scaler.std,
            "obs_mean": obs_mean,
            "obs_std": obs_std,
        },
        sys.argv[6],
    )
print(f"setup {time.time() - t0:.0f} s", flush=True)
epoch = [0]
orig_eval = trainer._evaluate
with open(out_csv, "w", encoding="utf-8") as f:
    csv.writer(f).writerow(["iteration", "q_avg", "normalized_score", "ent_coef", "wall_s"])


def evaluate():
    info = orig_eval()
    epoch[0] += 1
    with torch.no_grad():
        q = torch.minimum(critic1(q_obs, q_act), critic2(q_obs, q_act)).mean().item()
    score = EvalEnv(0).get_normalized_score(np.mean(info["eval/episode_reward"])) * 100
    with open(out_csv, "a", encoding="utf-8") as f:
        csv.writer(f).writerow(
            [
                epoch[0],
                f"{q:.6g}",
                f"{score:.6g}",
                f"{float(policy._alpha):.6g}",
                f"{time.time() - t0:.0f}",
            ]
        )
    print(
        f"[ab] iteration {epoch[0]} q_avg {q:.1f} score {score:.1f} alpha {float(policy._alpha):.3f}",
        flush=True,
    )
    return info


trainer._evaluate = evaluate
trainer.train()
