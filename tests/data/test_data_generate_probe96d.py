"""Probe 96a row 56: generation on first use inside a daemonic process (a multiprocessing.Pool
worker), which may start no collection workers."""

from __future__ import annotations

import multiprocessing as mp

from rambo_env.data.generate import collect_episodes_parallel


def _collect(_: int) -> list:
    """In a Pool worker (daemonic): 2 workers' shares of 60 random Hopper steps."""
    episodes = collect_episodes_parallel(
        "Hopper-v5", 60, None, seed=3, n_workers=2, n_envs=2, progress=False
    )
    return [(len(ep.rewards), float(ep.rewards.sum())) for ep in episodes]


def test_a_pool_worker_collects_the_workers_shares_in_process(capfd):
    # probe 96a row 56: was multiprocessing's raw AssertionError "daemonic processes are not
    # allowed to have children" from load_dataset's generation inside a Pool worker
    with mp.get_context("spawn").Pool(1) as pool:
        in_pool = pool.map(_collect, [0])[0]
    assert "daemonic process (a multiprocessing.Pool worker)" in capfd.readouterr().out
    # the same episodes as the spawned workers collect: the data depend on (seed, n_workers)
    assert in_pool == _collect(0)
    assert sum(n for n, _ in in_pool) == 60
