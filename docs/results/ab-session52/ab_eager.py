import sys, time, os, statistics
sys.path.insert(0, "/work/main/scripts")
import torch
torch.set_num_threads(2)
from rambo_env import bench
import bench as sb
from agents.fused import FusedSAC
from rambo_env.compile import MaybeCompiled
cfg = bench.BenchConfig().with_(compile=False)
dev = torch.device("cpu")
ds = bench.synthetic_dataset(cfg); mdp = bench.synthetic_mdp(ds, cfg, dev)
agent, _ = sb._agent("sac", mdp, ds, cfg, dev, 1000)
sb._collector(agent)()
agent.train(5, 256)
agent.compile = True
w, lrs = agent._whole_step()
w._compiled = None  # eager whole
agent.compile = False
orig = FusedSAC._whole_step
def eager_whole(self):
    return w, lrs
res = {"eager whole": [], "eager pieces": []}
for r in range(4):
    for m in res:
        FusedSAC._whole_step = eager_whole if m == "eager whole" else (lambda self: None)
        t = time.perf_counter(); agent.train(200, 256); res[m].append((time.perf_counter() - t) / 200 * 1e3)
for m, v in res.items(): print(m, " ".join(f"{x:.2f}" for x in v))
