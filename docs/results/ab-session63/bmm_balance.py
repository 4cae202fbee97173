"""Session 63: rates (GFLOP/s) of the ensemble's batched matmul shapes on T threads, against the 2048^3 product, interleaved per round:
7 members as one bmm, as 6 + 1, as 14 half-batches; the adversary's 7 + 5 apart against one 12-member stack."""
import torch, time, os
torch.set_num_threads(int(os.environ.get("T","2")))
def rate(f, flops, n=30):
    f(); t=time.perf_counter()
    for _ in range(n): f()
    return flops*n/(time.perf_counter()-t)/1e9
R,H=256,200
x=torch.randn(7,R,H); w=torch.randn(7,H,H); dy=torch.randn(7,R,H)
x12=torch.randn(12,R,H); w12=torch.randn(12,H,H)
x5=torch.randn(5,R,H); w5=torch.randn(5,H,H)
xh=x.reshape(14,128,H); wh=w.repeat_interleave(2,0); dyh=dy.reshape(14,128,H)
A=torch.randn(2048,2048); Bm=torch.randn(2048,2048)
F7=2*7*R*H*H
def six_one():
    torch.bmm(x[:6],w[:6]); torch.mm(x[6],w[6])
cases={
 "peak2048": (lambda: A@Bm, 2*2048**3, 5),
 "bmm 7": (lambda: torch.bmm(x,w), F7, 30),
 "bmm 6+mm 1": (six_one, F7, 30),
 "bmm 14x128": (lambda: torch.bmm(xh,wh), F7, 30),
 "dW 7": (lambda: torch.bmm(x.transpose(1,2),dy), F7, 30),
 "dW 14x128": (lambda: torch.bmm(xh.transpose(1,2),dyh), F7, 30),
 "bmm 7 + bmm 5": (lambda: (torch.bmm(x,w), torch.bmm(x5,w5)), 2*12*R*H*H, 20),
 "bmm 12": (lambda: torch.bmm(x12,w12), 2*12*R*H*H, 20),
}
res={k:[] for k in cases}
for r in range(5):
    for k,(f,fl,n) in cases.items(): res[k].append(rate(f,fl,n))
for k,v in res.items(): print(f"{k:14s}", " ".join(f"{a:6.1f}" for a in v))
