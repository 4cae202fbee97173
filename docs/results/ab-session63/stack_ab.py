"""In-process interleaved A/B (session 63) of the adversary step with Eq. 9's two forwards as one stack (A) against
apart (B), at bench's paper sizes: the step functions built twice with `eq9_stack_pays` forced each way, then
alternated. C=1: compiled (the whole step, runs of 20+ iterations), C=0: eager (shorter runs, the README's main job).
P=fp32|bf16, T threads, R rounds of N steps."""
import os, statistics, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench
import rambo_env.adversary as A
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from agents.critics import policy_fns
import bench as bench_script  # scripts/bench.py

prec, N, compiled = os.environ.get("P", "fp32"), int(os.environ.get("N", "20")), os.environ.get("C", "1") == "1"
cfg = bench.BenchConfig(precision=prec, compile=compiled)
dev = torch.device("cpu")
dataset = bench.synthetic_dataset(cfg)
mdp = bench.synthetic_mdp(dataset, cfg, dev)
sac, _ = bench_script._agent("sac", mdp, dataset, cfg, dev, cfg.agent_measure)
policy = policy_fns(sac)
acfg = AdversaryConfig(adversary_weight=3e-4, rollout_length=5, n_updates=N, batch_size=256)
adv = ModelAdversary(mdp, dataset, acfg, seed=0, compile=compiled)
variants = {}
for k, on in (("A", True), ("B", False)):
    A.eq9_stack_pays = lambda device, on=on: on
    adv._rollout_fns = None
    variants[k] = adv._rollout_fn(policy)
    adv.update(policy); adv.update(policy)  # compiles (C=1), warms up
res = {"A": [], "B": []}
for r in range(int(os.environ.get("R", "12"))):
    for k in (("A", "B") if r % 2 == 0 else ("B", "A")):
        adv._rollout_fns = variants[k]
        t = time.perf_counter(); adv.update(policy); res[k].append((time.perf_counter() - t) / N * 1e3)
for k, v in res.items():
    print(prec, "compiled" if compiled else "eager", f"T={torch.get_num_threads()}", k, " ".join(f"{x:.2f}" for x in v),
          "median %.2f" % statistics.median(v))
print("A (stacked) faster in", sum(a < b for a, b in zip(res["A"], res["B"])), "of", len(res["A"]),
      "; ratio of medians %.3f" % (statistics.median(res["A"]) / statistics.median(res["B"])))
