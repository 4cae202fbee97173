import torch, time, sys
torch.set_num_threads(int(sys.argv[1]))
def t(f, n=200):
    for _ in range(10): f()
    s=time.process_time()
    for _ in range(n): f()
    return (time.process_time()-s)/n
E,B,H=7,256,200
x=torch.randn(E,B,H); w=torch.randn(E,H,H); b=torch.randn(E,1,H); g=torch.randn(E,B,H)
fl=2*E*B*H*H
for name,f in [("baddbmm fwd", lambda: torch.baddbmm(b,x,w)),
               ("bmm x^T g (dW)", lambda: torch.bmm(x.transpose(1,2), g)),
               ("bmm g w^T (dx)", lambda: torch.bmm(g, w.transpose(1,2))),
               ("matmul 1792x200x200", lambda: x.reshape(-1,H)@w[0]),
               ("big 1024^3", None)]:
    if f is None:
        a=torch.randn(1024,1024); f=lambda: a@a; fl2=2*1024**3
        s=t(f,20); print(name, f"{fl2/s/1e9:.1f} GFLOP/s"); continue
    s=t(f); print(f"{name:22s} {s*1e3:.3f} ms  {fl/s/1e9:.1f} GFLOP/s")
x2=torch.randn(E,512,H); print("baddbmm 512 rows", f"{2*E*512*H*H/t(lambda: torch.baddbmm(b,x2,w))/1e9:.1f} GFLOP/s")
