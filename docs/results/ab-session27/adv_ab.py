# Usage: T=2 C=1 R=8 python docs/results/ab-session27/adv_ab.py  (T threads, C compile, R rounds)
"""Issue 12, session 27: adversary update() with the rollout sampled from Eq. 9's forward (new)
against the separate transition forward (old), interleaved rounds in one process."""
import os, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ab-session22"))
os.environ.setdefault("C", "1")
from adv_setup import adversary_setup  # noqa: E402
import torch  # noqa: E402

mdp, policy, adv = adversary_setup(warm_updates=0)
for flag in (True, False):  # warm both paths (compile)
    adv._shares_forward = flag
    adv.update(policy)
rounds = int(os.environ.get("R", "4"))
res = {True: [], False: []}
for r in range(rounds):
    for flag in ((True, False) if r % 2 == 0 else (False, True)):
        adv._shares_forward = flag
        t = time.perf_counter(); adv.update(policy); dt = time.perf_counter() - t
        res[flag].append(dt / adv.cfg.n_updates * 1000)
print("threads", torch.get_num_threads(), "compile", os.environ["C"])
for flag, name in ((False, "old (transition forward)"), (True, "new (shared forward)")):
    print(f"{name}: ms/step", " ".join(f"{x:.1f}" for x in res[flag]))
