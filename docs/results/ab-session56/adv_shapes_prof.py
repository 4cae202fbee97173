"""Session 56: session 54's adv_kernel_prof.py with input shapes recorded (torch.profiler grouped by shape): ModelAdversary.update at bench's paper sizes. P=fp32|bf16, T=threads."""
import os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
import torch
import torch._inductor.config as ic; ic.cpp.enable_kernel_profile = True
torch.set_num_threads(int(os.environ.get("T", "2")))
from torch.profiler import profile, ProfilerActivity
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
adv.update(policy); adv.update(policy)
t = time.perf_counter(); adv.update(policy); print("ms/step", (time.perf_counter() - t) / 50 * 1e3)
with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as p:
    adv.update(policy)
print(p.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total", row_limit=40, max_name_column_width=30, max_shapes_column_width=90))
