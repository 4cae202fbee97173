import sys, time, torch, math
sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "ab-session22"))
import quietlib
torch.set_num_threads(1)
x = torch.randn(7, 256, 200) * 3
LOG2E = 1.4426950408889634
def fast_sigmoid(x):
    # exp(-x) = 2^t, t = -x*log2e, clamped
    t = torch.clamp(-x * LOG2E, -126.0, 126.0)
    n = torch.floor(t + 0.5)
    f = t - n  # [-0.5, 0.5]
    # minimax-ish poly for 2^f (degree 6, Taylor of exp(f ln2))
    l = math.log(2.0)
    p = 1 + f*(l + f*(l**2/2 + f*(l**3/6 + f*(l**4/24 + f*(l**5/120 + f*(l**6/720))))))
    e = ((n.to(torch.int32) + 127) << 23).view(torch.float32) * p
    return 1.0 / (1.0 + e)
variants = {
  "F.silu": torch.compile(lambda x: torch.nn.functional.silu(x)),
  "x*sigmoid": torch.compile(lambda x: x * torch.sigmoid(x)),
  "tanh": torch.compile(lambda x: 0.5 * x * (1 + torch.tanh(0.5 * x))),
  "poly": torch.compile(lambda x: x * fast_sigmoid(x)),
  "copy(x*2)": torch.compile(lambda x: x * 2.0),
}
ref = torch.nn.functional.silu(x)
for k, f in variants.items():
    y = f(x); 
    if k != "copy(x*2)": print(k, "max rel err", ((y - ref).abs() / ref.abs().clamp_min(1e-6)).max().item(), "max abs", (y-ref).abs().max().item())
quietlib.pause_others()
try:
    res = {k: [] for k in variants}
    for r in range(5):
        for k, f in variants.items():
            t0 = time.perf_counter()
            for _ in range(200): f(x)
            res[k].append((time.perf_counter() - t0) / 200 * 1e3)
finally:
    quietlib.resume_others()
for k, v in res.items(): print(f"{k:12s} ms/fwd median {sorted(v)[2]:.3f}  all {[round(a,3) for a in v]}")
