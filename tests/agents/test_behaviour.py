"""agents.behaviour: band stop, saved artefacts and resuming a killed behaviour run."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from stable_baselines3 import SAC

from agents.behaviour import BehaviourConfig, train_behaviour
from rambo_env.data.dataset import OfflineDataset
from rambo_env.policies import load_actor


def _cfg(**changes) -> BehaviourConfig:
    base = {"env_id": "Pendulum-v1", "band": (1e9, 2e9), "max_steps": 80, "eval_freq": 40,
            "n_eval_episodes": 1, "learning_starts": 30, "save_freq": 80, "buffer_size": 1000}  # fmt: skip
    return BehaviourConfig(**{**base, **changes})


def test_stops_at_the_first_evaluation_inside_the_band(tmp_path):
    summary = train_behaviour(_cfg(band=(-math.inf, math.inf)), tmp_path, progress_bar=False)
    assert [e["step"] for e in summary["history"]] == [40] and summary["in_band"]
    actor = load_actor(tmp_path / "medium_actor.pt")
    assert actor.act(np.zeros((2, 3), np.float32), deterministic=True).shape == (2, 1)
    replay = OfflineDataset.from_npz(tmp_path / "replay.npz")
    # SB3 stops before storing the stopping step's transition: 39 rows, the cut one a truncation
    assert replay.n_transitions == 39 and replay.timeouts[-1] and not replay.terminals.any()
    assert json.loads((tmp_path / "behaviour.json").read_text())["chosen"]["step"] == 40


def test_resume_continues_from_the_last_save(tmp_path):
    first = train_behaviour(_cfg(), tmp_path, progress_bar=False)  # killed at 80 = a save point
    assert not first["in_band"] and (tmp_path / "resume" / "model.zip").is_file()
    assert not (tmp_path / "resume.tmp").exists()
    summary = train_behaviour(_cfg(max_steps=160), tmp_path, progress_bar=False, resume=True)
    assert [e["step"] for e in summary["history"]] == [40, 80, 120, 160]
    assert summary["history"][:2] == first["history"]
    state = json.loads((tmp_path / "resume" / "state.json").read_text())
    assert state["num_timesteps"] == 160  # saved again at 160
    model = SAC.load(tmp_path / "resume" / "model.zip")
    model.load_replay_buffer(tmp_path / "resume" / "replay_buffer.pkl")
    # each save (80, 160) precedes the storing of its own step: 79 + 79 rows, none lost on resume
    assert model.replay_buffer.pos == 158 and model.num_timesteps == 160


def test_resume_refuses_pickled_files_it_did_not_write(tmp_path):
    train_behaviour(_cfg(), tmp_path, progress_bar=False)
    buffer = tmp_path / "resume" / "replay_buffer.pkl"
    buffer.write_bytes(buffer.read_bytes() + b"\x00")  # replaced / tampered with
    with pytest.raises(ValueError, match=r"replay_buffer\.pkl: not the file this project saved"):
        train_behaviour(_cfg(max_steps=160), tmp_path, progress_bar=False, resume=True)


def test_a_step_budget_below_one_evaluation_is_refused_before_training(tmp_path, capsys):
    """Probe 11: ``make_dataset.py --train-policy --behaviour-steps 100`` trained, then failed
    with "min() arg is an empty sequence" (no evaluation at eval_freq = 2500 steps)."""
    from tests.scripts import load_script

    with pytest.raises(ValueError, match=r"max_steps: 100 < eval_freq=2500: the agent would never"):
        BehaviourConfig("Hopper-v5", (0.0, 1.0), max_steps=100)
    cli = load_script("make_dataset")
    argv = ["--env", "hopper", "--level", "medium", "--train-policy", "--behaviour-steps", "100"]
    assert cli.main([*argv, "--behaviour-dir", str(tmp_path / "b")]) == 2
    assert "max_steps: 100 < eval_freq=2500" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
    # probe 27: 2500 (the minimum that error asked for) <= learning_starts 5000: no gradient
    # step, and an untrained "medium" policy saved, without a word
    with pytest.raises(
        ValueError, match=r"max_steps: 2500 <= learning_starts=5000: .* no gradient"
    ):
        BehaviourConfig("Hopper-v5", (0.0, 1.0), max_steps=2500)
    BehaviourConfig("Hopper-v5", (0.0, 1.0), max_steps=2500, learning_starts=1000)


def test_a_behaviour_config_with_a_wrong_value_is_refused():
    """Probe 12: an inverted or NaN band, seed -1, buffer_size 0, learning_starts -1, a float
    or string step count and an unknown env were accepted (failing, or training to max_steps
    for a band no return can enter, only during the training)."""
    for changes, match in (
        ({"band": (2000.0, 1000.0)}, r"band: expected \(low, high\) returns with low <= high"),
        ({"band": (math.nan, 1.0)}, "band: expected"),
        ({"band": (1.0,)}, "band: expected"),
        ({"seed": -1}, "BehaviourConfig.seed: expected an int >= 0, got -1"),
        ({"buffer_size": 0}, "buffer_size: expected None or an int >= max_steps=80, got 0"),
        ({"buffer_size": 10}, "a smaller buffer wraps"),
        ({"learning_starts": -1}, "learning_starts: expected an int >= 0, got -1"),
        ({"max_steps": 80.0}, "max_steps: expected an int >= 1, got 80.0"),
        ({"max_steps": "80"}, "max_steps: expected an int >= 1, got '80'"),
        ({"env_id": "NoSuchEnv-v0"}, "env_id: 'NoSuchEnv-v0' is not a Gymnasium env id"),
    ):
        with pytest.raises(ValueError, match=match):
            _cfg(**changes)
    _cfg(band=(-math.inf, math.inf), buffer_size=None)  # valid


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("{bad", "not readable JSON"),  # was: a raw JSONDecodeError
        ("[1, 2]", "holds a JSON list"),  # was: AttributeError: 'list' object has no attribute
        ("{}", "no 'sha256' object"),  # was: SB3's FileNotFoundError for model.zip
        (None, r"model\.zip: missing from the resume state"),  # was: a raw FileNotFoundError
    ],
)
def test_a_damaged_resume_state_names_the_file_and_what_to_do(tmp_path, state, expected):
    """Probe 15: ``make_dataset.py --train-policy`` resuming from a hand-edited or cut
    ``behaviour_runs/…/resume`` folder gave raw errors naming no file."""
    resume = tmp_path / "resume"
    resume.mkdir()
    if state is None:
        state = json.dumps({"sha256": {}, "history": [], "wall_s": 1.0})
    (resume / "state.json").write_text(state)
    with pytest.raises(ValueError, match=expected) as err:
        train_behaviour(_cfg(), tmp_path, progress_bar=False, resume=True)
    assert f"delete {resume}" in str(err.value)


def test_a_full_disk_at_the_chosen_actor_leaves_no_cut_file(tmp_path, monkeypatch):
    """Probe 19: ``medium_actor.pt`` and ``behaviour.json`` were written in place, so a full disk
    (or Ctrl-C) left a cut actor that the next make_dataset.py read; now each is written next to
    its place and renamed over it, and a failure names the file."""
    import errno
    import pathlib
    import shutil

    def half_then_full(dst, data):
        with open(dst, "wb") as f:
            f.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pathlib.Path, "write_bytes", lambda self, data: half_then_full(self, data))
    monkeypatch.setattr(
        shutil, "copyfile", lambda src, dst: half_then_full(dst, pathlib.Path(src).read_bytes())
    )
    with pytest.raises(OSError, match=r"medium_actor\.pt: not written: the disk holding .* full"):
        train_behaviour(_cfg(band=(-math.inf, math.inf)), tmp_path, progress_bar=False)
    assert not (tmp_path / "medium_actor.pt").exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_medium_replay_from_an_already_trained_agent_says_it_is_reused(
    tmp_path, monkeypatch, capsys
):
    """Probe 27: ``--level medium-replay --train-policy --behaviour-steps 5000`` after a
    2500-step agent in the same --behaviour-dir rebuilt the dataset from the old replay.npz,
    with no training and no word."""
    import json

    from tests.scripts import load_script

    cli = load_script("make_dataset")
    agent = tmp_path / "beh" / "hopper"
    agent.mkdir(parents=True)
    (agent / "replay.npz").write_bytes(b"")
    (agent / "behaviour.json").write_text(
        json.dumps({"config": {"max_steps": 2500}, "in_band": False})
    )
    monkeypatch.setattr(cli, "train_agent", lambda *a: pytest.fail("trained"))
    monkeypatch.setattr(cli, "generate_dataset", lambda *a, **k: None)
    args = cli.parse_args(["--env", "hopper", "--level", "medium-replay", "--train-policy",
                           "--behaviour-steps", "10000", "--behaviour-dir", str(tmp_path / "beh")])  # fmt: skip
    cli.generate(args)
    out = capsys.readouterr().out
    assert f"reusing {agent / 'replay.npz'}, the replay buffer of the medium agent" in out
    assert "(trained with max_steps 2500, in band: False)" in out
