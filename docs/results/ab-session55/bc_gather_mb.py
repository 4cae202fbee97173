"""Session 55: BC's two 1D gathers (obs [N, 11], scaled actions [N, 3]; 256 rows of a 1M-row
randperm), advanced indexing against training.take_rows, alternating rounds of 2000 batches.
Output: bc_gather_mb.txt."""
import statistics, time, torch
from rambo_env.dynamics.training import take_rows
for T in (2, 1):
    torch.set_num_threads(T)
    n = 1_000_000
    obs, act = torch.randn(n, 11), torch.randn(n, 3)
    batches = torch.randperm(n)[: 2000 * 256].view(2000, 256)
    res = {"x[idx]": [], "take_rows": []}
    for r in range(6):
        for k in (("x[idx]", "take_rows") if r % 2 == 0 else ("take_rows", "x[idx]")):
            t = time.perf_counter()
            for idx in batches:
                (obs[idx], act[idx]) if k == "x[idx]" else (take_rows(obs, idx), take_rows(act, idx))
            res[k].append((time.perf_counter() - t) / 2000 * 1e6)
    for k, v in res.items():
        print(f"T={T} BC batch gathers {k} us", " ".join(f"{a:.0f}" for a in v), "median %.0f" % statistics.median(v))
