"""Probe 110 row 7: a Minari dataset recorded through ``FlattenObservation`` (what the Minari
Dict / image error advises) records ``env_spec.additional_wrappers``, but the load said "the data
do not fit it; fix the env_id stored with the data". Now it says the data are the env's
observations flattened inside the recorded wrapper (never imported or applied: a dataset must not
make us run code) and how to register the wrapped env, which then loads as the data's env."""

from __future__ import annotations

import json
import sys

import gymnasium as gym
import numpy as np
import pytest

from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.loaders import load_dataset
from rambo_env.data.minari_io import minari_dataset_path
from tests.test_evaluation_probe110 import FLAT_OF, collect

minari = pytest.importorskip("minari")
from minari.data_collector import EpisodeBuffer  # noqa: E402


def _episodes(env: gym.Env, n_steps: int) -> list[EpisodeBuffer]:
    """``collect``'s rows of ``env`` as Minari episodes (T + 1 observations each)."""
    rows = collect(None, n_steps, env=env)
    ends = np.flatnonzero(rows["terminals"] | rows["timeouts"]) + 1
    return [
        EpisodeBuffer(
            id=i,
            observations=np.concatenate(
                [rows["observations"][a:b], rows["next_observations"][b - 1 : b]]
            ),
            actions=rows["actions"][a:b],
            rewards=rows["rewards"][a:b],
            terminations=rows["terminals"][a:b],
            truncations=rows["timeouts"][a:b],
        )
        for i, (a, b) in enumerate(zip(np.r_[0, ends[:-1]], ends, strict=True))
    ]


def _record_flat(dataset_id: str, inner: str) -> None:
    env = gym.wrappers.FlattenObservation(gym.make(inner))
    minari.create_dataset_from_buffers(
        dataset_id=dataset_id, buffer=_episodes(env, 200), env=env, algorithm_name="random"
    )


@pytest.mark.parametrize("inner", ("P110tDict-v0", "P110tImage-v0"))
def test_flattened_recording_named_and_its_wrapped_env_loads(inner, capsys) -> None:
    dataset_id = f"p110t/{inner.lower()[:-3]}flat/random-v0"
    _record_flat(dataset_id, inner)
    with pytest.raises(DatasetValidationError) as err:
        load_dataset(dataset_id)
    msg = str(err.value)
    # was: "…, the env the data name themselves (…): the data do not fit it; fix the env_id
    # stored with the data, or pass the env they come from"
    assert "the data are that env's observations flattened (the data record their env inside " \
        "FlattenObservation: Minari's env_spec.additional_wrappers" in msg  # fmt: skip
    assert f"FlattenObservation(gymnasium.make({inner!r}, **kw))" in msg
    assert "fix the env_id" not in msg
    ds = load_dataset(dataset_id, env_id=FLAT_OF[inner])  # the advised registration
    assert ds.env_id == FLAT_OF[inner]
    out = capsys.readouterr().out
    assert f"env_id= (--env-id) {FLAT_OF[inner]} is {inner} inside them" in out
    assert "overrides it" not in out  # was: "(another env: its dynamics and rewards may differ)"


def test_recorded_wrapper_never_imported() -> None:
    dataset_id = "p110t/foreign/random-v0"
    _record_flat(dataset_id, "P110tDict-v0")
    path = minari_dataset_path(dataset_id) / "data" / "metadata.json"
    meta = json.loads(path.read_text())
    spec = json.loads(meta["env_spec"])
    spec["additional_wrappers"][0]["entry_point"] = "p110t_evil_module:Wrap"
    meta["env_spec"] = json.dumps(spec)
    path.write_text(json.dumps(meta))
    with pytest.raises(DatasetValidationError, match="observations flattened"):
        load_dataset(dataset_id)
    assert "p110t_evil_module" not in sys.modules
