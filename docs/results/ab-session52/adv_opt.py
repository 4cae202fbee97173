import sys, time, os, statistics
sys.path.insert(0, "/work/main/scripts")
import torch
torch.set_num_threads(int(os.environ.get("T", "2")))
from rambo_env import bench
import bench as sb
from agents.critics import policy_fns
from rambo_env.adversary import AdversaryConfig, ModelAdversary
cfg = bench.BenchConfig().with_(compile=True, precision=os.environ.get("P", "bf16"))
dev = torch.device("cpu")
ds = bench.synthetic_dataset(cfg); mdp = bench.synthetic_mdp(ds, cfg, dev)
agent, _ = sb._agent("sac", mdp, ds, cfg, dev, 1000)
policy = policy_fns(agent)
adv = ModelAdversary(mdp, ds, AdversaryConfig(adversary_weight=3e-4, rollout_length=5, n_updates=50, batch_size=256), seed=0, compile=True)
adv.update(policy)
opt = adv.optimizer; group = opt.param_groups[0]
params = list(group["params"]); st = [opt.state[p] for p in params]
m = [s["exp_avg"] for s in st]; v = [s["exp_avg_sq"] for s in st]; steps = [s["step"] for s in st]
b1, b2 = group["betas"]; eps = group["eps"]
def step_fn(grads, lr):
    gn = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
    torch._foreach_add_(steps, 1)
    torch._foreach_lerp_(m, grads, 1 - b1)
    torch._foreach_mul_(v, b2); torch._foreach_addcmul_(v, grads, grads, value=1 - b2)
    for p, mm, vv, t in zip(params, m, v, steps):
        t = t.double()
        ss = (lr / (1 - b1 ** t)).float(); c2 = (1 - b2 ** t).sqrt().float()
        p.data.sub_(ss * mm / (vv.sqrt() / c2 + eps))
    return gn
cstep = torch.compile(step_fn, fullgraph=True, dynamic=False)
lr_t = torch.tensor(group["lr"], dtype=torch.float64)
orig = ModelAdversary._optimizer_step
def new_opt(self, total, adv_loss, mle_loss, log_prob, raw_adv):
    self.optimizer.zero_grad(set_to_none=True)
    total.backward()
    with torch.no_grad():
        gn = cstep([p.grad for p in params], lr_t)
    self.n_steps += 1
    return {"adv_loss": adv_loss.detach(), "mle_loss": mle_loss.detach(), "advantage_mean": raw_adv.mean(), "advantage_std": raw_adv.std(), "log_prob_mean": log_prob.detach().mean(), "grad_norm": gn}
ModelAdversary._optimizer_step = new_opt; t = time.perf_counter(); adv.update(policy); print("compile", time.perf_counter() - t)
res = {"compiled adam": [], "fused adam": []}
for r in range(int(os.environ.get("R", "6"))):
    for mode in (list(res) if r % 2 == 0 else list(res)[::-1]):
        ModelAdversary._optimizer_step = new_opt if mode == "compiled adam" else orig
        t = time.perf_counter(); adv.update(policy); res[mode].append((time.perf_counter() - t) / 50 * 1e3)
for k, vv in res.items(): print(os.environ.get("P","bf16"), k, " ".join(f"{x:.2f}" for x in vv), "median %.2f" % statistics.median(vv))
