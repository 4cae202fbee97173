"""Session 56: the rate of the ensemble's batched matmul shapes against the 2048^3 product bench.py's
floor uses, interleaved in one process (the VM's speed drifts 20-50 % between minutes), T threads."""
import os, statistics, time, torch
torch.set_num_threads(int(os.environ.get("T", "2")))
def timed(f, n):
    t = time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter() - t) / n
a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
shapes = {"2048^3 mm (the floor's peak)": (lambda: a @ b, 2 * 2048 ** 3, 3)}
for E, M, K, N in ((7, 256, 200, 200), (5, 256, 200, 200), (7, 256, 14, 200), (7, 256, 200, 24), (7, 200, 256, 200)):
    x, w = torch.randn(E, M, K), torch.randn(E, K, N)
    shapes[f"bmm [{E},{M},{K}]x[{E},{K},{N}]"] = ((lambda x=x, w=w: torch.bmm(x, w)), 2 * E * M * K * N, 60)
for f, _, n in shapes.values(): timed(f, n)
rates = {k: [] for k in shapes}
for r in range(int(os.environ.get("R", "10"))):
    for k, (f, fl, n) in shapes.items():
        rates[k].append(fl / timed(f, n) / 1e9)
peak = rates["2048^3 mm (the floor's peak)"]
for k, v in rates.items():
    rel = [x / p for x, p in zip(v, peak)]
    print(f"T={torch.get_num_threads()} {k:32s} GFLOP/s median {statistics.median(v):6.1f} (range {min(v):.0f}-{max(v):.0f})  / peak, per round: median {statistics.median(rel):.2f} (range {min(rel):.2f}-{max(rel):.2f})")
