"""Session 54: torch.profiler over 200 compiled SAC gradient steps (FusedSAC's whole step) at
bench's paper sizes. T threads."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from torch.profiler import ProfilerActivity, profile
from rambo_env import bench
import bench as bench_script  # scripts/bench.py

cfg = bench.BenchConfig().with_(compile=True)
dev = torch.device("cpu")
ds = bench.synthetic_dataset(cfg)
mdp = bench.synthetic_mdp(ds, cfg, dev)
agent, _ = bench_script._agent("sac", mdp, ds, cfg, dev, 1000)
bench_script._collector(agent)()
agent.train(50, 256); agent.train(50, 256)
with profile(activities=[ProfilerActivity.CPU]) as p:
    agent.train(200, 256)
print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
