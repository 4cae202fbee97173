"""Shared setup of the session-22 adversary profiles: the bench's SAC agent and a paper-size
ModelAdversary on the bench's synthetic data (scripts/bench.py `_agent`)."""
import os, sys
from pathlib import Path
REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "scripts")); sys.path.insert(0, str(REPO)); sys.path.insert(0, str(Path(__file__).parent))
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench
import bench as sb
from agents.critics import policy_fns
from rambo_env.adversary import AdversaryConfig, ModelAdversary

def adversary_setup(warm_updates: int = 1):
    """(mdp, policy, adversary) at paper sizes; compiled unless C=0; ``warm_updates`` updates run."""
    compile_ = os.environ.get("C", "1") == "1"
    cfg = bench.BenchConfig().with_(compile=compile_)
    dev = torch.device("cpu")
    ds = bench.synthetic_dataset(cfg)
    mdp = bench.synthetic_mdp(ds, cfg, dev)
    agent, _ = sb._agent("sac", mdp, ds, cfg, dev, 10)
    policy = policy_fns(agent)
    acfg = AdversaryConfig(adversary_weight=3e-4, batch_size=256, n_updates=50, rollout_length=5)
    adv = ModelAdversary(mdp, ds, acfg, seed=0, compile=compile_)
    for _ in range(warm_updates):
        adv.update(policy)
    return mdp, policy, adv
