"""Probe 135 (typing): the probe 132 runtime widening (a ``pathlib.Path`` for
``CotrainConfig.dataset`` / ``ledger``, a list for ``BehaviourConfig.band``, a numpy int for
``train_mle(model_seed=...)``) was not in the annotations, so mypy flagged documented calls."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import typing
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from agents.behaviour import BehaviourConfig
from agents.cotrain_setup import CotrainConfig
from rambo_env.dynamics.training import train_mle

ROOT = Path(__file__).resolve().parents[1]


def _args(hint: typing.Any) -> set[typing.Any]:
    return {typing.get_origin(a) or a for a in typing.get_args(hint)}


def test_annotations_name_what_is_accepted():
    hints = typing.get_type_hints(CotrainConfig)
    assert os.PathLike in _args(hints["dataset"]) and str in _args(hints["dataset"])
    assert os.PathLike in _args(hints["ledger"]) and type(None) in _args(hints["ledger"])
    assert Sequence in _args(typing.get_type_hints(BehaviourConfig)["band"])
    seed = typing.get_type_hints(train_mle.__wrapped__)["model_seed"]
    assert np.integer in _args(seed) and int in _args(seed)


def test_stored_values_stay_plain():
    cfg = CotrainConfig(dataset=Path("hopper-medium"), ledger=Path("led"))
    assert cfg.dataset == "hopper-medium" and cfg.ledger == "led"
    with pytest.raises(ValueError, match="dataset"):
        CotrainConfig(dataset=3)  # type: ignore[arg-type]
    assert BehaviourConfig("Hopper-v5", [1000, 2000]).band == (1000.0, 2000.0)


USER = """
from pathlib import Path
import numpy as np
from agents.behaviour import BehaviourConfig
from agents.cotrain_setup import CotrainConfig
from rambo_env.data.dataset import OfflineDataset
from rambo_env.dynamics.ensemble import GaussianEnsemble
from rambo_env.dynamics.training import train_mle
from rambo_env.normalization import ObsNormalizer

CotrainConfig(dataset=Path("x.npz"))
CotrainConfig(ledger=Path("led"))
BehaviourConfig("Hopper-v5", [1000, 2000])


def fit(ensemble: GaussianEnsemble, dataset: OfflineDataset, normalizer: ObsNormalizer) -> None:
    train_mle(ensemble, dataset, normalizer, model_seed=np.int64(3))
"""


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy not installed")
def test_mypy_takes_the_documented_calls(tmp_path):
    user = tmp_path / "u.py"
    user.write_text(USER)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--follow-imports=silent",
            "--ignore-missing-imports",
            "--no-incremental",
            str(user),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "MYPYPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
