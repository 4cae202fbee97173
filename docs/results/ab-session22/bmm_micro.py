import os, time, statistics, torch
torch.set_num_threads(int(os.environ.get("T", "2")))
E, B, H = 7, 256, 200
x = torch.randn(E, B, H); w = torch.randn(E, H, H); b = torch.randn(E, 1, H)
g = torch.randn(E, B, H)
xT = x.transpose(1, 2)
def peak():
    a = torch.randn(2048, 2048); c = torch.randn(2048, 2048)
    for _ in range(2): a @ c
    t = time.perf_counter(); n = 5
    for _ in range(n): a @ c
    return 2 * 2048**3 * n / (time.perf_counter() - t) / 1e9
cases = {
  "baddbmm fwd": lambda: torch.baddbmm(b, x, w),
  "bmm fwd": lambda: torch.bmm(x, w),
  "loop mm fwd": lambda: [torch.addmm(b[i], x[i], w[i]) for i in range(E)],
  "bmm gradin (g@wT)": lambda: torch.bmm(g, w.transpose(1, 2)),
  "bmm gradw (xT@g)": lambda: torch.bmm(xT, g),
  "loop gradw": lambda: [xT[i] @ g[i] for i in range(E)],
  "flat 1792x200 mm": lambda: x.reshape(-1, H) @ w[0],
}
fl = 2 * E * B * H * H
res = {k: [] for k in cases}
for f in cases.values(): 
    for _ in range(20): f()
pk = []
for r in range(3):
    pk.append(peak())
    for k, f in cases.items():
        t = time.perf_counter()
        for _ in range(200): f()
        res[k].append((time.perf_counter() - t) / 200 * 1e3)
print("peak GFLOP/s", ["%.0f" % p for p in pk])
for k, v in res.items():
    m = statistics.median(v); print(f"{k:22s} {m:.3f} ms  {fl/m/1e6:.0f} GFLOP/s", ["%.3f" % x for x in v])
