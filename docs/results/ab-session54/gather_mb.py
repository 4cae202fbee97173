"""Session 54: the 5 elites' rows of three [7, 200, 200] weights and three biases, gathered and
gradient pulled back (torch.func.vjp), compiled, 2 threads, us per call: a 0/1 selection as
elementwise sum of products, as a matmul, or index_select (its backward an atomic index_add).
Output (AMX Xeon): elementwise 900-928, mm 412-432, index_select 2240-2243. A torch.library
custom_op with a registered autograd (index_copy backward) is refused under torch.func:
"In order to use an autograd.Function with functorch transforms ... setup_context"."""
import torch, time
from torch.func import vjp
torch.set_num_threads(2)
E, G = 7, 5
Ws = [torch.randn(E, 200, 200) for _ in range(3)] + [torch.randn(E, 1, 200) for _ in range(3)]
idx = torch.tensor([0, 2, 3, 5, 6])
sel = torch.nn.functional.one_hot(idx, E).float()
cts = [torch.randn(G, *w.shape[1:]) for w in Ws]
def ew(w, sel): return (sel.reshape(*sel.shape, *([1] * (w.dim() - 1))) * w.unsqueeze(0)).sum(1)
def mm(w, sel): return (sel @ w.flatten(1)).view(sel.shape[0], *w.shape[1:])
def ix(w, sel): return w.index_select(0, idx)
def make(take):
    def f(ws, sel, cts):
        outs, pb = vjp(lambda ws: [take(w, sel) for w in ws], ws)
        return outs, pb(cts)
    return torch.compile(f, fullgraph=True)
for name, take in (("elementwise", ew), ("mm", mm), ("index_select", ix)):
    f = make(take)
    for _ in range(3): f(Ws, sel, cts)
    t = time.perf_counter()
    for _ in range(200): out = f(Ws, sel, cts)
    print(name, "%.1f us" % ((time.perf_counter() - t) / 200 * 1e6))
    ref = [w[idx] for w in Ws]
    assert all(torch.equal(a, b) for a, b in zip(out[0], ref)), name

