"""Probe 135: the library's own cache files (a cached dynamics model, an MLE pretraining
checkpoint) saved with pickle protocol 4 stopped every rerun with "re-save it" (now reported,
removed and rebuilt, as a damaged cache entry is); MLE checkpoints saved with protocol 3 were
read by torch.load directly, with torch's "Detected pickle protocol 3" warning."""

from __future__ import annotations

import dataclasses
import warnings

import torch

from rambo_env.dynamics import io
from rambo_env.model import make_mdp
from rambo_env.run_io import load_torch_file
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE, make_tiny_dataset

KWARGS = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, progress=False)
MLE = dataclasses.replace(TINY_MLE, max_epochs=1, seed=0)


def _resave(path, protocol, zip_format=True):
    state = torch.load(path, map_location="cpu", weights_only=False)
    torch.save(state, path, pickle_protocol=protocol, _use_new_zipfile_serialization=zip_format)


def _finished(cache):
    return [p for p in cache.glob("dynamics-*.pt") if not p.name.endswith(".partial.pt")]


def test_cached_model_of_protocol_4_is_rebuilt(capsys):
    data = make_tiny_dataset(n_transitions=400)
    make_mdp(data, mle_config=MLE, **KWARGS)
    (cached,) = _finished(io.cache_dir())
    _resave(cached, 4)
    capsys.readouterr()
    mdp = make_mdp(data, mle_config=MLE, **KWARGS)  # was: PickleProtocolError, every rerun
    out = capsys.readouterr().out
    assert f"cached dynamics model {cached} is unreadable" in out and "protocol 4" in out, out
    assert "removing it and training anew" in out and "re-save" not in out, out
    assert mdp is not None
    assert isinstance(load_torch_file(cached), dict)  # rebuilt with the default protocol


def test_mle_checkpoint_of_protocol_4_starts_afresh(capsys):
    data = make_tiny_dataset(n_transitions=400)
    make_mdp(data, mle_config=MLE, **KWARGS)
    cache = io.cache_dir()
    (partial,) = cache.glob("dynamics-*.partial.pt")
    for cached in _finished(cache):
        cached.unlink()
    _resave(partial, 4, zip_format=False)
    capsys.readouterr()
    make_mdp(data, mle_config=MLE, **KWARGS)
    out = capsys.readouterr().out
    assert f"MLE checkpoint {partial} is unreadable" in out and "protocol 4" in out, out
    assert "starting MLE pretraining afresh" in out, out
    assert isinstance(load_torch_file(partial), dict)


def test_mle_checkpoints_of_protocol_3_load_without_torch_warning(capsys):
    data = make_tiny_dataset(n_transitions=400)
    make_mdp(data, seed=0, mle_config=MLE, **KWARGS)
    cache = io.cache_dir()
    (partial,) = cache.glob("dynamics-*.partial.pt")
    for cached in _finished(cache):
        cached.unlink()
    _resave(partial, 3, zip_format=False)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        # a sibling seed reads the protocol-3 checkpoint for its note (model.py)
        make_mdp(data, seed=1, mle_config=MLE, **KWARGS)
        for cached in _finished(cache):
            cached.unlink()
        _resave(partial, 3, zip_format=False)
        # the same seed resumes it and marks its budget end (training.py)
        make_mdp(data, seed=0, mle_config=dataclasses.replace(MLE, max_epochs=2), **KWARGS)
    said = [str(w.message) for w in seen if "pickle protocol" in str(w.message)]
    assert not said, said
