"""Session 63: compiled forward + backward of a 7-member 4 x 200 ensemble MLP on 256 rows, 2 threads, alternating
rounds in one process: bmm of 7 (row "7") against V=halves (14 half-batches, weights repeated) or V=six_one (bmm of
6 + mm of 1) (row "14"). Not kept: halves 21.27 vs 22.24 ms (faster in 7 of 20), six_one 21.34 vs 24.1 (11 of 20)."""
import torch, time, os, statistics
torch.set_num_threads(2)
E,B,H,I,O=7,256,200,14,24
dims=[I,H,H,H,H,O]
Ws=[torch.randn(E,a,b,requires_grad=True) for a,b in zip(dims,dims[1:])]
bs=[torch.zeros(E,1,b,requires_grad=True) for b in dims[1:]]
x=torch.randn(E,B,I)
def f7(x):
    h=x
    for i,(w,b) in enumerate(zip(Ws,bs)):
        h=torch.baddbmm(b,h,w)
        if i<len(Ws)-1: h=torch.nn.functional.silu(h)
    return h.square().mean()
def f14(x):
    h=x.reshape(2*E,B//2,I)
    for i,(w,b) in enumerate(zip(Ws,bs)):
        h=torch.baddbmm(b.repeat_interleave(2,0),h,w.repeat_interleave(2,0))
        if i<len(Ws)-1: h=torch.nn.functional.silu(h)
    return h.square().mean()
def f61(x):
    ha, hb = x[:6], x[6]
    for i,(w,b) in enumerate(zip(Ws,bs)):
        ha=torch.baddbmm(b[:6],ha,w[:6]); hb=torch.addmm(b[6],hb,w[6])
        if i<len(Ws)-1: ha=torch.nn.functional.silu(ha); hb=torch.nn.functional.silu(hb)
    return (ha.square().sum()+hb.square().sum())/(E*B*O)
def step(f):
    def run():
        loss=f(x); g=torch.autograd.grad(loss,Ws+bs)
    return run
c7=torch.compile(step(f7)); c14=torch.compile(step(f14 if os.environ.get('V', 'halves') == 'halves' else f61))
for _ in range(3): c7(); c14()
res={7:[],14:[]}
for r in range(20):
    for k,c in ((7,c7),(14,c14)) if r%2==0 else ((14,c14),(7,c7)):
        t=time.perf_counter()
        for _ in range(20): c()
        res[k].append((time.perf_counter()-t)/20*1e3)
for k,v in res.items(): print(k, round(statistics.median(v),2), [round(a,1) for a in v])
print("14 faster in", sum(b<a for a,b in zip(res[7],res[14])), "of", len(res[7]))
