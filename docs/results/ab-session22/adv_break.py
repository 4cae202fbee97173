import time, statistics, collections, time as _t
import torch
from adv_setup import adversary_setup
from quietlib import pause_others, resume_others
from rambo_env.adversary import advantage
from torch.nn.utils import get_total_norm
mdp, policy, adv = adversary_setup(warm_updates=2)
seg = collections.defaultdict(list)
def steps(n):
    obs = mdp.initial(256, adv.rng)
    for i in range(n):
        t0 = _t.perf_counter()
        with torch.no_grad():
            action = policy.sample(obs)
            t1 = _t.perf_counter()
            nxt, rew, term = mdp.transition(obs, action, adv.rng, check_finite=False)
        t2 = _t.perf_counter()
        real = adv.real.sample(256, adv.generator)
        t3 = _t.perf_counter()
        a, raw = advantage(policy, obs, action, rew, nxt, term, gamma=0.99)
        t4 = _t.perf_counter()
        total, *_ = adv.loss_fn(obs, action, nxt, rew, a, real.obs, real.action, real.next_obs, real.reward, 3e-4)
        t5 = _t.perf_counter()
        adv.optimizer.zero_grad(set_to_none=True); total.backward()
        t6 = _t.perf_counter()
        gn = get_total_norm([p.grad for p in adv.params if p.grad is not None])
        t7 = _t.perf_counter()
        adv.optimizer.step()
        t8 = _t.perf_counter()
        for k, (x, y) in dict(sample=(t0,t1), transition=(t1,t2), real=(t2,t3), advantage=(t3,t4), loss_fwd=(t4,t5), backward=(t5,t6), gradnorm=(t6,t7), adam=(t7,t8), total=(t0,t8)).items():
            seg[k].append((y - x) * 1e3)
        obs = nxt if (i + 1) % 5 else mdp.initial(256, adv.rng)
steps(10)
pause_others()
try:
    time.sleep(1)
    seg.clear(); steps(100)
    t = time.perf_counter(); adv.update(policy); upd = (time.perf_counter() - t) / 50 * 1e3
finally:
    resume_others()
for k, v in seg.items(): print(f"{k:12s} median {statistics.median(v):7.2f} ms  p10 {sorted(v)[10]:7.2f}")
print("update() per step %.2f ms" % upd)
