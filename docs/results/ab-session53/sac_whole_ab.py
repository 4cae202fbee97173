# Session 53: session 52's ab_whole.py run from either tree (REPO=path, PYTHONPATH=path): whole vs step by step.
import sys, time, os, statistics
sys.path.insert(0, os.path.join(os.environ.get("REPO", "."), "scripts"))
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench
import bench as sb
from agents.fused import FusedSAC
cfg = bench.BenchConfig().with_(compile=True)
dev = torch.device("cpu")
ds = bench.synthetic_dataset(cfg)
mdp = bench.synthetic_mdp(ds, cfg, dev)
agent, _ = sb._agent("sac", mdp, ds, cfg, dev, 1000)
sb._collector(agent)()
orig = FusedSAC._whole_step
def off(self): return None
def run(mode, n=300):
    FusedSAC._whole_step = orig if mode == "whole" else off
    t = time.perf_counter(); agent.train(n, 256); return (time.perf_counter() - t) / n * 1e3
run("whole", 20); run("pieces", 20); run("whole", 20); run("pieces", 20)
res = {"whole": [], "pieces": []}
for r in range(int(os.environ.get("R", "5"))):
    for m in (("whole", "pieces") if r % 2 == 0 else ("pieces", "whole")):
        res[m].append(run(m))
for m, v in res.items():
    print(f"T={torch.get_num_threads()} {m:7s} ms/step", " ".join(f"{x:.2f}" for x in v), "median %.2f" % statistics.median(v))
