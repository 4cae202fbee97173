import time, statistics
import torch._inductor.config as icfg
icfg.cpp.enable_kernel_profile = True
import torch
from adv_setup import adversary_setup
from quietlib import pause_others, resume_others
from rambo_env.adversary import advantage
mdp, policy, adv = adversary_setup(warm_updates=1)
obs = mdp.initial(256, adv.rng)
with torch.no_grad():
    action = policy.sample(obs); nxt, rew, term = mdp.transition(obs, action, adv.rng, check_finite=False)
real = adv.real.sample(256, adv.generator)
a, raw = advantage(policy, obs, action, rew, nxt, term, gamma=0.99)
def lb():
    total, *_ = adv.loss_fn(obs, action, nxt, rew, a, real.obs, real.action, real.next_obs, real.reward, 3e-4)
    adv.optimizer.zero_grad(set_to_none=True); total.backward()
def tr():
    with torch.no_grad(): mdp.transition(obs, action, adv.rng, check_finite=False)
def ad():
    advantage(policy, obs, action, rew, nxt, term, gamma=0.99)
for _ in range(5): lb(); tr(); ad()
from torch.profiler import profile, ProfilerActivity
pause_others()
try:
    time.sleep(0.5)
    for name, f in (("loss+bwd", lb), ("transition", tr), ("advantage", ad)):
        ts = []
        for _ in range(30):
            t = time.perf_counter(); f(); ts.append((time.perf_counter() - t) * 1e3)
        print(name, "median %.2f ms" % statistics.median(ts))
    with profile(activities=[ProfilerActivity.CPU]) as p:
        for _ in range(20): lb()
    with profile(activities=[ProfilerActivity.CPU]) as p2:
        for _ in range(20): tr()
    with profile(activities=[ProfilerActivity.CPU]) as p3:
        for _ in range(20): ad()
finally:
    resume_others()
print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
print(p2.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
print(p3.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))
