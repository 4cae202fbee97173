"""In-process interleaved A/B (session 54): the adversary's whole compiled step (eq9_whole_step)
against the compiled loss + backward + fused Adam, at bench's paper sizes. P=fp32|bf16, T, R."""
import os, statistics, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from agents.critics import policy_fns
import bench as bench_script  # scripts/bench.py

prec = os.environ.get("P", "bf16")
cfg = bench.BenchConfig(precision=prec, compile=True)
dev = torch.device("cpu")
dataset = bench.synthetic_dataset(cfg)
mdp = bench.synthetic_mdp(dataset, cfg, dev)
sac, _ = bench_script._agent("sac", mdp, dataset, cfg, dev, cfg.agent_measure)
policy = policy_fns(sac)
acfg = AdversaryConfig(adversary_weight=3e-4, rollout_length=5, n_updates=50, batch_size=256)
adv = ModelAdversary(mdp, dataset, acfg, seed=0, compile=True)
adv.update(policy)  # compiles the whole step
fns = adv._rollout_fns
pieces = (*fns[:3], None)
adv._rollout_fns = pieces; adv.update(policy)  # compiles the loss
res = {"whole": [], "pieces": []}
for r in range(int(os.environ.get("R", "6"))):
    for mode in (("whole", "pieces") if r % 2 == 0 else ("pieces", "whole")):
        adv._rollout_fns = fns if mode == "whole" else pieces
        t = time.perf_counter(); adv.update(policy); res[mode].append((time.perf_counter() - t) / 50 * 1e3)
assert fns[3].active
for k, v in res.items():
    print(prec, f"T={torch.get_num_threads()}", k, " ".join(f"{x:.2f}" for x in v), "median %.2f" % statistics.median(v))
