"""Probe 123 (course students' seed loop, ``for s in 0 1 2; do cotrain.py --seed $s …; done``):

- row 27: seed 1's pretraining was told that the model cache holds seed 0's checkpoint "under
  other settings (…: another seed); pass one's settings to continue it", inviting the seeds to
  share one model. Another seed's checkpoint is now said not to be continued: each seed
  pretrains its own model (the seed is in the model-cache key).
- a cache hit of a model of fewer rows than one MLE batch was warned of as "MLE pretraining on
  dataset …", though nothing is trained on a cache hit: it now names the cached model.
"""

from __future__ import annotations

import dataclasses

from rambo_env.dynamics import io
from rambo_env.model import make_mdp
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE, make_tiny_dataset

KWARGS = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, progress=False)


def _run(dataset, seed: int, **mle) -> None:
    """One seed's make_mdp as cotrain.py calls it (its MLE seed is the run's seed)."""
    cfg = dataclasses.replace(TINY_MLE, max_epochs=1, seed=seed, **mle)
    make_mdp(dataset, seed=seed, mle_config=cfg, **KWARGS)


def test_a_seed_loop_is_not_told_to_continue_another_seeds_pretraining(capsys):
    data = make_tiny_dataset(n_transitions=400)
    _run(data, 0)  # its budget keeps its checkpoint (the probe's --mle-max-steps 20)
    assert len(list(io.cache_dir().glob("dynamics-*.partial.pt"))) == 1
    capsys.readouterr()
    _run(data, 1)
    out = capsys.readouterr().out
    assert "continue it" not in out and "another seed" not in out
    assert (
        "[rambo_env] note: the model cache holds 1 MLE pretraining checkpoint of this dataset "
        "under other seeds (seed 0); this run (seed 1) pretrains its own model afresh, as each "
        "seed does (the seed is part of the model-cache key" in out
    )
    assert "trained: 1 epoch" in out  # pretrained afresh, not resumed from seed 0's
    # seed 0 under another MLE lr is not offered to seed 2 either (it would need --seed 0)
    _run(data, 0, lr=TINY_MLE.lr / 2)
    capsys.readouterr()
    _run(data, 2)
    out = capsys.readouterr().out
    assert "continue it" not in out
    assert (
        "holds 3 MLE pretraining checkpoints of this dataset under other seeds (seed 0, 1)" in out
    )
    # the same seed under another setting is still offered (probe 26)
    _run(data, 2, lr=TINY_MLE.lr / 3)
    out = capsys.readouterr().out
    assert f"--mle-lr {TINY_MLE.lr} (now {TINY_MLE.lr / 3})" in out and "continue it" in out


def test_a_cache_hit_of_too_few_rows_is_not_called_pretraining(capsys):
    data = make_tiny_dataset(n_transitions=20, episode_len=10)
    mle = dataclasses.replace(TINY_MLE, max_epochs=1)
    make_mdp(data, mle_config=mle, **KWARGS)
    out = capsys.readouterr().out
    assert "WARNING: MLE pretraining on dataset 'tiny-hopper': 20 transitions" in out
    (model,) = [p for p in io.cache_dir().glob("dynamics-*.pt") if ".partial" not in p.name]
    make_mdp(data, mle_config=mle, **KWARGS)
    out = capsys.readouterr().out
    assert "<- cache" in out and "MLE pretraining on dataset" not in out
    assert (
        f"[rambo_env] WARNING: the cached model {model.name} (loaded: no MLE pretraining now) was "
        "pretrained on dataset 'tiny-hopper': 20 transitions leave 18 for training after the "
        "2-transition holdout, fewer than one batch" in out
    )
