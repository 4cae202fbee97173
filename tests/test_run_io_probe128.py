"""Probe 128: the project's torch-file loads of a pickle (a damaged or foreign file that is no
torch.save zip) give their own clear error and no torch ``Detected pickle protocol`` warning
(which ``-W error`` turned into the raw error)."""

from __future__ import annotations

import pickle
import warnings

import pytest

from rambo_env.dynamics.io import load_model
from rambo_env.dynamics.training import _load_checkpoint
from rambo_env.policies import load_actor
from rambo_env.run_io import load_checkpoint


def _loads():
    return [
        (load_checkpoint, r"checkpoint\.pt: unreadable checkpoint \(.*not a torch file"),
        (load_model, r"^model file .*checkpoint\.pt: unreadable \(.*not a torch file"),
        (load_actor, r"^policy file .*checkpoint\.pt: not a behaviour actor .*not a torch file"),
    ]


@pytest.mark.parametrize("index", range(3))
@pytest.mark.parametrize(
    "body",
    [b"\x80\x04not a torch zip", pickle.dumps({"a": 1}, protocol=4)],
    ids=["damaged", "pickle"],
)
def test_a_pickle_is_refused_clearly_without_torchs_warning(tmp_path, index, body):
    load, match = _loads()[index]
    path = tmp_path / "checkpoint.pt"
    path.write_bytes(body)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=match):
            load(path)
    assert not [w for w in seen if "pickle protocol" in str(w.message)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was torch's raw UserWarning as the error
        with pytest.raises(ValueError, match=match):
            load(path)


def test_a_pickled_mle_checkpoint_starts_afresh_without_torchs_warning(tmp_path, capsys):
    path = tmp_path / "dynamics-x.partial.pt"
    path.write_bytes(pickle.dumps({"epoch": 3}, protocol=4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _load_checkpoint(path, "fingerprint") is None
    out = capsys.readouterr().out
    assert "is unreadable (ValueError: not a torch file" in out and "starting MLE" in out
