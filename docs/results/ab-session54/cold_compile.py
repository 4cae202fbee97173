"""Session 54: the first ModelAdversary.update (50 steps, compiling the whole step) against the
second, at bench's paper sizes; run with an empty TORCHINDUCTOR_CACHE_DIR for a cold compile.
P=fp32|bf16, T threads."""
import os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from agents.critics import policy_fns
import bench as bench_script  # scripts/bench.py

cfg = bench.BenchConfig(precision=os.environ.get("P", "bf16"), compile=True)
dev = torch.device("cpu")
dataset = bench.synthetic_dataset(cfg)
mdp = bench.synthetic_mdp(dataset, cfg, dev)
sac, _ = bench_script._agent("sac", mdp, dataset, cfg, dev, cfg.agent_measure)
policy = policy_fns(sac)
acfg = AdversaryConfig(adversary_weight=3e-4, rollout_length=5, n_updates=50, batch_size=256)
adv = ModelAdversary(mdp, dataset, acfg, seed=0, compile=True)
times = []
for _ in range(2):
    t = time.perf_counter(); adv.update(policy); times.append(time.perf_counter() - t)
assert adv._rollout_fn(policy).whole.active
print(f"{cfg.precision}: first update {times[0]:.1f} s, second {times[1]:.2f} s -> compile ~{times[0] - times[1]:.1f} s")
