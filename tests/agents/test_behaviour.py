"""agents.behaviour: band stop, saved artefacts and resuming a killed behaviour run."""

from __future__ import annotations

import json
import math
import re
import shutil
from dataclasses import asdict
from types import SimpleNamespace

import numpy as np
import pytest
from stable_baselines3 import SAC

from agents.behaviour import BehaviourConfig, train_behaviour
from rambo_env.data.dataset import OfflineDataset
from rambo_env.normalization import ObsNormalizer
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
    # probe 62: the infinite band was written as bare -Infinity / Infinity (not JSON for jq or a
    # browser); null, as every run file stores a non-finite number
    strict = json.loads(
        (tmp_path / "behaviour.json").read_text(), parse_constant=lambda c: pytest.fail(c)
    )
    assert strict["config"]["band"] == [None, None]


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

    with pytest.raises(ValueError, match=r"max_steps: 100 is too few: .* every 2500 steps"):
        BehaviourConfig("Hopper-v5", (0.0, 1.0), max_steps=100)
    cli = load_script("make_dataset")
    argv = ["--env", "hopper", "--level", "medium", "--train-policy", "--behaviour-steps", "100"]
    assert cli.main([*argv, "--behaviour-dir", str(tmp_path / "b")]) == 2
    assert "max_steps: 100 is too few" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
    # probe 27: 2500 <= learning_starts 5000: no gradient step, and an untrained "medium" policy
    # saved, without a word; probe 37: 2000 asked for 2500, then 2500 for more than 5000, and
    # 5001-7499 kept only checkpoints from before the first gradient step (evaluations at 2500
    # and 5000): one error, the real minimum
    for steps in (2000, 2500, 5000, 5001, 7499):
        with pytest.raises(ValueError) as refused:
            BehaviourConfig("Hopper-v5", (0.0, 1.0), max_steps=steps)
        assert str(refused.value) == (
            f"BehaviourConfig.max_steps: {steps} is too few: SAC collects random actions for its "
            "first 5000 steps (learning_starts) and the agent is evaluated, its checkpoint kept, "
            "every 2500 steps (eval_freq), so the first checkpoint of a trained policy is at step "
            "7500; give at least 7500 steps (--behaviour-steps; the default: 400000)"
        )
    argv = ["--env", "hopper", "--level", "medium-replay", "--train-policy"]
    for steps in ("2000", "2500"):
        assert cli.main([*argv, "--behaviour-steps", steps, "--behaviour-dir", str(tmp_path)]) == 2
        assert "give at least 7500 steps" in capsys.readouterr().err
    BehaviourConfig("Hopper-v5", (0.0, 1.0), max_steps=7500)
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
    # probe 44: a numpy array of two returns was refused as not "(low, high) returns"
    assert _cfg(band=np.array([0.0, 10.0])).band == (0.0, 10.0)
    with pytest.raises(ValueError, match=r"band: expected .*: return 1 is '10' \(a str\)"):
        _cfg(band=(0.0, "10"))


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


def _fake_training(monkeypatch, calls: list) -> None:
    """``train_behaviour`` replaced by one that writes what a finished training leaves."""
    import agents.behaviour as behaviour

    def fake(cfg, out, progress_bar=True, resume=False, actor_file="medium_actor.pt"):
        calls.append({"max_steps": cfg.max_steps, "resume": resume, "actor_file": actor_file})
        (out / actor_file).parent.mkdir(parents=True, exist_ok=True)
        (out / actor_file).write_bytes(b"actor")
        (out / "replay.npz").write_bytes(b"")
        summary = {"config": asdict(cfg), "chosen": {"step": 5000}, "in_band": True}
        (out / "behaviour.json").write_text(json.dumps(summary))
        return summary

    monkeypatch.setattr(behaviour, "train_behaviour", fake)


def _finished_agent(agent, max_steps: int, actor: str = "medium_actor.pt", band=None) -> None:
    """The files a finished ``make_dataset.py --train-policy`` training leaves in ``agent``."""
    from agents.behaviour import MEDIUM_BANDS

    cfg = BehaviourConfig("Hopper-v5", band or MEDIUM_BANDS["hopper"], max_steps=max_steps)
    agent.mkdir(parents=True)
    (agent / actor).write_bytes(b"actor")
    (agent / "replay.npz").write_bytes(b"")
    (agent / "behaviour.json").write_text(json.dumps({"config": asdict(cfg), "in_band": True}))


def _saved_at(agent, step: int) -> None:
    (agent / "resume").mkdir(parents=True)
    (agent / "resume" / "state.json").write_text(json.dumps({"num_timesteps": step}))


def test_train_policy_says_whether_it_reuses_or_continues_an_existing_agent(
    tmp_path, monkeypatch, capsys
):
    """Probe 28: ``make_dataset.py --train-policy`` with a --behaviour-dir that already held a
    finished agent trained it on from its last save (same settings: re-chose and rewrote its
    actor; a larger --behaviour-steps: trained on) without a word. Now an agent of the same
    settings is reused, and every other case says what is done before doing it."""
    from tests.scripts import load_script

    cli = load_script("make_dataset")
    calls: list = []
    _fake_training(monkeypatch, calls)
    beh, agent = tmp_path / "beh", tmp_path / "beh" / "hopper"

    def run(steps: int) -> str:
        argv = ["--env", "hopper", "--level", "medium", "--train-policy",
                "--behaviour-steps", str(steps), "--behaviour-dir", str(beh)]  # fmt: skip
        assert cli.train_agent(cli.parse_args(argv), "medium") == agent
        return capsys.readouterr().out

    _finished_agent(agent, 7500)
    _saved_at(agent, 7500)
    out = run(7500)  # the same settings: reused, not retrained
    assert calls == []
    assert (
        f"[make_dataset] reusing the medium agent already trained in {agent} (trained with "
        "max_steps 7500, in band: True); --behaviour-steps does not retrain it: move that folder "
        "away (or pass another --behaviour-dir) to train a new one"
    ) in out
    out = run(10000)  # a larger budget: trained on from the last save, said first
    assert calls == [{"max_steps": 10000, "resume": True, "actor_file": "medium_actor.pt"}]
    assert (
        f"continuing the training of the medium agent already trained in {agent} (trained with "
        "max_steps 7500, in band: True; now max_steps 7500 -> 10000) from its last save (step "
        "7500) up to max_steps 10000, and replacing its chosen actor; move that folder away"
    ) in out
    (agent / "behaviour.json").write_text("{damaged")  # no details, no crash
    out = run(10000)
    assert f"continuing the training of the medium agent already trained in {agent} from its" in out
    (agent / "behaviour.json").unlink()  # a killed run: a save, no behaviour.json
    out = run(10000)
    assert (
        f"continuing the medium agent's training in {agent} (a run that did not finish) from "
        "its last save (step 7500) up to max_steps 10000"
    ) in out
    shutil.rmtree(agent)  # a finished agent of other settings that left no save (< save_freq)
    _finished_agent(agent, 7500)
    (agent / "checkpoints").mkdir()
    (agent / "checkpoints" / "actor_7500.pt").write_bytes(b"old")
    import agents.behaviour as behaviour

    seen: list = []  # what the new training finds when it starts (probe 72 row 14: the old
    fake = behaviour.train_behaviour  # agent's files, mixed with the new agent's if killed)

    def spy(cfg, out, **kwargs):
        seen.append(sorted(p.name for p in out.iterdir()) if out.is_dir() else None)
        return fake(cfg, out, **kwargs)

    monkeypatch.setattr(behaviour, "train_behaviour", spy)
    out = run(10000)
    assert "has other settings and no resume save: training a new one from step 0" in out
    assert "that replaces it (its files are removed first)" in out
    assert seen[-1] == []  # behaviour.json, the actor, replay.npz and checkpoints/ removed first
    (agent / "behaviour.json").write_text("[1, 2]")  # probe 29: damaged and no save: was
    with pytest.raises(
        ValueError, match=r"behaviour\.json is damaged .* restore that file, or move"
    ):
        run(7500)  # "other settings", and a new agent replaced the finished one
    shutil.rmtree(agent)
    assert "training the medium behaviour agent (10000 SAC steps max)" in run(10000)


def test_an_expert_actor_is_saved_as_expert_actor_pt(tmp_path, monkeypatch, capsys):
    """Probe 28: ``make_dataset.py --level expert --train-policy`` saved the expert's chosen
    actor as ``<env>-expert/medium_actor.pt`` (the name in the dataset's metadata); now
    ``expert_actor.pt``, and an expert folder of older versions (only ``medium_actor.pt``) is
    still found, and said."""
    from rambo_env.data.scores import REF_SCORES
    from tests.scripts import load_script

    cfg = _cfg(band=(-math.inf, math.inf))
    summary = train_behaviour(cfg, tmp_path / "a", progress_bar=False, actor_file="x_actor.pt")
    assert (tmp_path / "a" / "x_actor.pt").is_file() and summary["in_band"]
    assert not (tmp_path / "a" / "medium_actor.pt").exists()
    with pytest.raises(ValueError, match=r"actor_file: expected a file name .* got '\.\./x\.pt'"):
        train_behaviour(cfg, tmp_path / "b", progress_bar=False, actor_file="../x.pt")

    cli = load_script("make_dataset")
    calls, used = [], []
    _fake_training(monkeypatch, calls)
    monkeypatch.setattr(cli, "generate_dataset", lambda *a, **k: used.append(k))
    beh, expert = tmp_path / "beh", tmp_path / "beh" / "hopper-expert"
    argv = ["--env", "hopper", "--level", "expert", "--train-policy", "--behaviour-steps",
            "7500", "--behaviour-dir", str(beh)]  # fmt: skip
    cli.generate(cli.parse_args(argv))
    assert calls[0]["actor_file"] == "expert_actor.pt"
    assert used[0]["expert_policy_path"] == expert / "expert_actor.pt"
    assert not (expert / "medium_actor.pt").exists()

    shutil.rmtree(expert)  # an expert trained by an older version, same settings
    ret = REF_SCORES["hopper"][1]
    _finished_agent(expert, 3 * 7500, band=(0.9 * ret, 1.5 * ret))
    calls.clear()
    cli.generate(cli.parse_args(argv))
    assert calls == [] and used[1]["expert_policy_path"] == expert / "medium_actor.pt"
    assert (
        f"reusing the expert agent already trained in {expert} (trained with max_steps 22500, "
        "in band: True); its actor is medium_actor.pt, the name older versions gave an expert's "
        "actor; --behaviour-steps does not retrain it"
    ) in capsys.readouterr().out


def test_an_agent_that_never_reached_its_band_is_a_warning(tmp_path, monkeypatch, capsys):
    """Probe 29: a behaviour agent whose return never entered the medium band still collected a
    "medium" dataset, said only as "(in band: False)" inside the chosen-checkpoint line."""
    import agents.behaviour as behaviour
    from tests.scripts import load_script

    cli = load_script("make_dataset")

    def fake(cfg, out, progress_bar=True, resume=False, actor_file="medium_actor.pt"):
        out.mkdir(parents=True, exist_ok=True)
        chosen = {"step": 5000, "return_mean": 14.9}
        return {"config": asdict(cfg), "chosen": chosen, "in_band": False}

    monkeypatch.setattr(behaviour, "train_behaviour", fake)
    argv = ["--env", "hopper", "--level", "medium", "--train-policy", "--behaviour-steps", "7500",
            "--behaviour-dir", str(tmp_path / "beh")]  # fmt: skip
    cli.train_agent(cli.parse_args(argv), "medium")
    err = capsys.readouterr().err
    assert "WARNING: the medium agent's return never entered the medium band" in err
    assert "(step 5000, return 14.9)" in err and "raise --behaviour-steps" in err
    # probe 54: 7500 steps < one save interval (25000): no save to continue from
    assert (
        "raise --behaviour-steps (it made no resume save (one every 25000 SAC steps), so the "
        "rerun trains from step 0) and rerun with --force"
    ) in err, err
    argv[argv.index("7500")] = "30000"
    cli.train_agent(cli.parse_args(argv), "medium")
    assert "(the training continues from its last save) and rerun" in capsys.readouterr().err


def _tree(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("level", "agent", "name", "data", "reason"),
    [
        ("medium", "hopper", "medium_actor.pt", b"", "not a behaviour actor saved by"),
        ("medium", "hopper", "medium_actor.pt", b"junk", "not a behaviour actor saved by"),
        ("expert", "hopper-expert", "expert_actor.pt", b"junk", "not a behaviour actor saved by"),
        ("medium-replay", "hopper", "replay.npz", b"junk", "not an npz (zip) archive"),
    ],
)
def test_a_damaged_file_that_train_policy_reuses_is_named_to_be_removed(
    tmp_path, monkeypatch, capsys, level, agent, name, data, reason
):
    """Probe 30: ``make_dataset.py --train-policy`` reusing an earlier run's agent whose chosen
    actor (or replay.npz) is damaged failed after the reuse with "… re-create it
    (scripts/make_dataset.py --train-policy)", which reused the same file again. Now it is refused
    before anything is trained or collected, naming the file to remove; once removed, it is
    trained again."""
    from rambo_env.data.scores import REF_SCORES
    from tests.scripts import load_script

    cli = load_script("make_dataset")
    calls: list = []
    _fake_training(monkeypatch, calls)
    monkeypatch.setattr(cli, "generate_dataset", lambda *a, **k: calls.append("collected"))
    beh = tmp_path / "beh"
    ret = REF_SCORES["hopper"][1]
    steps, band = (7500, None) if agent == "hopper" else (22500, (0.9 * ret, 1.5 * ret))
    actor = "medium_actor.pt" if agent == "hopper" else "expert_actor.pt"
    _finished_agent(beh / agent, steps, actor, band)
    path = beh / agent / name
    path.write_bytes(data)
    argv = ["--env", "hopper", "--level", level, "--train-policy", "--behaviour-steps", "7500",
            "--behaviour-dir", str(beh), "--no-progress"]  # fmt: skip
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert f"error: behaviour_dir: {path} (the " in err and f"({reason}" in err
    assert f"is damaged ({reason}" in err and "re-create it" not in err
    assert f"remove that file (rm {path}) so that --train-policy makes it again" in err
    assert calls == []  # refused before any training or collection
    path.unlink()  # as told: the next run trains it again (no loop)
    assert cli.main(argv) == 0
    assert calls[0]["actor_file"] == actor
    assert calls[-1] == "collected"


@pytest.mark.parametrize(
    ("level", "where", "kind"),
    [
        ("medium", "hopper/medium_actor.pt", "a folder, not a file"),
        ("expert", "hopper-expert/expert_actor.pt", "a folder, not a file"),
        ("medium-replay", "hopper/replay.npz", "a folder, not a file"),
        ("medium", "hopper/behaviour.json", "a folder, not a file"),
        ("medium", "hopper/checkpoints", "a file, not a folder"),
        ("medium", "hopper", "a file, not a folder"),
    ],
)
def test_a_folder_where_train_policy_writes_a_file_is_refused_before_training(
    tmp_path, monkeypatch, capsys, level, where, kind
):
    """Probe 30: ``make_dataset.py --train-policy`` with a folder at ``medium_actor.pt`` trained
    the agent (hours at the default sizes), then failed "… medium_actor.pt: not written: a folder
    is where the file goes", leaving checkpoints/ behind. Now every path it writes is checked
    first: one error naming it, nothing trained or written."""
    from tests.scripts import load_script

    cli = load_script("make_dataset")
    calls: list = []
    _fake_training(monkeypatch, calls)
    beh = tmp_path / "beh"
    path = beh / where
    if kind.startswith("a folder"):
        path.mkdir(parents=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    before = _tree(tmp_path)
    argv = ["--env", "hopper", "--level", level, "--train-policy", "--behaviour-steps", "7500",
            "--behaviour-dir", str(beh), "--no-progress"]  # fmt: skip
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert f"error: behaviour_dir: {path} is {kind}; --train-policy writes the " in err
    assert "move it away (or pass another --behaviour-dir)" in err
    assert calls == [] and _tree(tmp_path) == before


@pytest.mark.parametrize("where", ["hopper", "hopper/checkpoints", "hopper/resume"])
def test_a_broken_link_where_train_policy_writes_is_refused_before_training(
    tmp_path, monkeypatch, capsys, where
):
    """Issue 14: a broken symbolic link at the agent's folder failed with a raw "File exists";
    one at its ``checkpoints/`` (or ``resume/``) passed the checks, so the agent trained until its
    first checkpoint, which could not be written."""
    from tests.scripts import load_script

    cli = load_script("make_dataset")
    calls: list = []
    _fake_training(monkeypatch, calls)
    beh = tmp_path / "beh"
    link = beh / where
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(tmp_path / "gone")
    argv = ["--env", "hopper", "--level", "medium", "--train-policy", "--behaviour-steps", "7500",
            "--behaviour-dir", str(beh), "--no-progress"]  # fmt: skip
    assert cli.main(argv) == 2
    message = (
        f"{link} is a broken symbolic link to {tmp_path / 'gone'}; remove it or restore its target"
    )
    assert f"error: behaviour_dir: {message}" in capsys.readouterr().err
    assert calls == [] and not (tmp_path / "gone").exists()
    with pytest.raises(ValueError, match=rf"out_dir: {re.escape(message)}"):
        train_behaviour(_cfg(), beh / "hopper")  # before any training


def test_a_file_where_the_dataset_goes_is_refused_before_training(tmp_path, monkeypatch, capsys):
    """Probe 30: a file at ``<Minari root>/rambo/hopper`` (or at the dataset's own folder) was
    found when the dataset was saved, after the behaviour training (hours) or the collection."""
    import os

    from rambo_env.data.generate import generate_dataset
    from tests.scripts import load_script

    cli = load_script("make_dataset")
    calls: list = []
    _fake_training(monkeypatch, calls)
    root = tmp_path / "minari"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    for place in (root / "rambo" / "hopper", root / "rambo" / "hopper" / "medium-v0"):
        place.parent.mkdir(parents=True, exist_ok=True)
        place.write_text("x")
        argv = ["--env", "hopper", "--level", "medium", "--train-policy", "--behaviour-steps",
                "7500", "--behaviour-dir", str(tmp_path / "beh"), "--force"]  # fmt: skip
        assert cli.main(argv) == 2
        assert (
            f"error: dataset_id: {place} is not a folder but a file, where the dataset "
            "'rambo/hopper/medium-v0' is written"
        ) in capsys.readouterr().err
        assert calls == [] and not (tmp_path / "beh" / "hopper").exists()
        with pytest.raises(ValueError, match=r"medium-v0' is written .* move that file away"):
            generate_dataset("hopper", "medium", n_transitions=10, force=True)  # before collecting
        os.remove(place)


def test_a_damaged_chosen_checkpoint_is_not_copied_as_the_actor(tmp_path):
    """Probe 30: removing a damaged ``medium_actor.pt`` (as make_dataset.py now says) resumes the
    training and chooses a checkpoint again; a damaged chosen checkpoint was copied as the actor,
    which the next run reused as it is: the same loop. Now it is refused, naming it."""
    train_behaviour(_cfg(), tmp_path, progress_bar=False)  # saved at 80 = max_steps
    (tmp_path / "medium_actor.pt").unlink()
    for checkpoint in (tmp_path / "checkpoints").iterdir():
        checkpoint.write_bytes(b"junk")
    with pytest.raises(ValueError, match=r"checkpoints/actor_\d+\.pt: the checkpoint chosen for .*"
                       r"medium_actor\.pt is damaged \(not a behaviour actor") as err:  # fmt: skip
        train_behaviour(_cfg(), tmp_path, progress_bar=False, resume=True)
    assert "move that folder away" in str(err.value) and "re-create it" not in str(err.value)
    assert not (tmp_path / "medium_actor.pt").exists()


def test_load_actor_names_an_sb3_agent_zip_and_its_way_to_an_actor(tmp_path):
    """Probe 48: ``load_actor("a.zip")`` (an SB3 agent's ``agent.save``; also make_dataset.py
    --policy a.zip) showed torch's raw zip error ("file in archive is not in a subdirectory") and
    advised re-creating a file that is fine. Now it names the kind, found from the zip's member
    list (nothing unpickled), and the advice works."""
    from agents.behaviour import save_actor
    from rambo_env.data.generate import load_behaviour_policy

    path = tmp_path / "a.zip"
    SAC("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu").save(path)
    said = f"policy file {path} is an SB3 agent (agent.save), not a behaviour actor file: extract"
    for load in (
        lambda: load_actor(path),
        lambda: load_behaviour_policy(path, "cpu", "Pendulum-v1"),
    ):
        with pytest.raises(ValueError) as err:
            load()
        assert str(err.value).startswith(said), err.value
        assert f"save_actor(stable_baselines3.SAC.load({str(path)!r}), 'actor.pt')" in str(
            err.value
        )
        assert "re-create" not in str(err.value) and "subdirectory" not in str(err.value)
    save_actor(SAC.load(str(path)), tmp_path / "actor.pt")  # the advice
    assert load_actor(tmp_path / "actor.pt").act(np.zeros((1, 3), np.float32)).shape == (1, 1)


def test_save_actor_refuses_an_agent_without_a_sac_actor_and_load_actor_says_which_zip(tmp_path):
    """Probe 49 row 10: ``save_actor(td3_agent, path)`` was a raw ``AttributeError: 'Actor' object
    has no attribute 'latent_pi'`` and ``save_actor("x", path)`` one on ``action_space``; and the
    advice for an SB3 zip, ``save_actor(stable_baselines3.SAC.load(…))``, was given for a TD3
    agent's zip too, where it fails. The zip's kind is read from its ``data`` JSON (no unpickling)."""
    from sb3_contrib import TQC
    from stable_baselines3 import TD3

    from agents.behaviour import save_actor

    td3 = TD3("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu")
    head = "model: save_actor takes a SAC agent (stable_baselines3.SAC, agents.fused.FusedSAC or "
    for model, got in ((td3, "got TD3, which has a deterministic actor"), ("x", "got str, not")):
        with pytest.raises(ValueError) as err:
            save_actor(model, tmp_path / "actor.pt")
        assert str(err.value).startswith(head) and got in str(err.value), err.value
    assert not (tmp_path / "actor.pt").exists()
    td3.save(tmp_path / "td3.zip")
    with pytest.raises(ValueError) as err:
        load_actor(tmp_path / "td3.zip")
    assert str(err.value) == (
        f"policy file {tmp_path / 'td3.zip'} is an SB3 agent (agent.save) of TD3 / DDPG, not a "
        "behaviour actor file: only a SAC agent's actor (SAC, FusedSAC, TQC: a squashed "
        "Gaussian) can be extracted (agents.behaviour.save_actor); pass a SAC behaviour "
        "policy's actor file (scripts/make_dataset.py --train-policy trains one)"
    )
    tqc = tmp_path / "tqc.zip"
    TQC("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu").save(tqc)
    with pytest.raises(ValueError, match=r"save_actor\(sb3_contrib\.TQC\.load\(") as err:
        load_actor(tqc)
    save_actor(TQC.load(str(tqc)), tmp_path / "actor.pt")  # the advice works
    assert load_actor(tmp_path / "actor.pt").act(np.zeros((1, 3), np.float32)).shape == (1, 1)


def test_load_actor_of_a_folder_a_dataset_or_a_missing_path_says_what_it_is(tmp_path):
    """Probe 49 rows 8-9: a folder and a dataset ``.npz`` were "not a behaviour actor …
    (IsADirectoryError / torch's zip error); re-create it", a missing path a bare
    ``FileNotFoundError`` with no what-to-do."""
    npz = tmp_path / "data.npz"
    np.savez(npz, observations=np.zeros((2, 3)), actions=np.zeros((2, 1)))
    with pytest.raises(ValueError) as err:
        load_actor(tmp_path)
    assert str(err.value) == (
        f"policy file {tmp_path} is a folder, not a file; pass an actor file saved by "
        "agents.behaviour.save_actor"
    )
    with pytest.raises(ValueError) as err:
        load_actor(npz)
    assert str(err.value).startswith(
        f"policy file {npz} is a dataset file (npz), not an actor file: a dataset is read by "
        "rambo_env.load_dataset; pass an actor file saved by agents.behaviour.save_actor"
    )
    with pytest.raises(FileNotFoundError) as err:
        load_actor(tmp_path / "nope.pt")
    assert str(err.value) == (
        f"policy file {tmp_path / 'nope.pt'} does not exist; pass an actor file saved by "
        "agents.behaviour.save_actor (scripts/make_dataset.py --train-policy trains one)"
    )


def test_the_actor_of_an_agent_trained_on_normalised_observations_acts_on_raw_ones(tmp_path):
    """Probe 53 row 45: ``save_actor`` of a RAMBO agent (``make_agent``: it acts on the model's
    normalised observations) dropped the normaliser, so the saved actor, used by
    ``make_dataset.py --policy``, acted on raw observations (return 5.9 where the agent scored
    about 18). The file now keeps the normaliser's mean / std and the loaded actor applies them;
    an actor of a real-env behaviour policy (no normaliser) acts on raw observations as before."""
    from agents.behaviour import save_actor
    from tests.agents.test_callback import _setup

    agent, _, mdp = _setup()
    raw = mdp.normalizer.unnormalize(np.random.default_rng(0).normal(size=(8, 3)))
    raw = raw.astype(np.float32)
    expected, _ = agent.predict(mdp.normalizer.normalize(raw), deterministic=True)
    save_actor(agent, tmp_path / "actor.pt")  # the normaliser of its mixed replay buffer
    actor = load_actor(tmp_path / "actor.pt")
    np.testing.assert_allclose(actor.act(raw, deterministic=True), expected, atol=1e-5)
    save_actor(agent, tmp_path / "given.pt", normalizer=mdp.normalizer)  # given explicitly
    np.testing.assert_allclose(
        load_actor(tmp_path / "given.pt").act(raw, deterministic=True), expected, atol=1e-5
    )
    with pytest.raises(ValueError, match=r"^normalizer: expected an ObsNormalizer of 3"):
        save_actor(agent, tmp_path / "bad.pt", normalizer=ObsNormalizer(np.zeros(5), np.ones(5)))
    agent.save(tmp_path / "agent.zip")  # its zip keeps the normaliser: SAC.load's too
    save_actor(SAC.load(tmp_path / "agent.zip", device="cpu"), tmp_path / "zip.pt")
    np.testing.assert_allclose(
        load_actor(tmp_path / "zip.pt").act(raw, deterministic=True), expected, atol=1e-5
    )
    agent.replay_buffer.normalizer = None  # as a real-env agent: raw observations
    agent.replay_buffer_kwargs = {}
    save_actor(agent, tmp_path / "raw.pt")
    got = load_actor(tmp_path / "raw.pt").act(raw, deterministic=True)
    np.testing.assert_allclose(got, agent.predict(raw, deterministic=True)[0], atol=1e-5)


def test_actor_files_with_nan_weights_or_swapped_bounds_are_refused(tmp_path):
    """Probe 58 rows 24, 25, 27, 34, 35: an actor of a diverged agent was saved and loaded
    without a word (make_dataset.py --policy then collected the whole dataset before refusing
    the first NaN action), and an actor file with action_low > action_high was taken."""
    import torch

    from agents.behaviour import save_actor

    sac = SAC("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu")
    save_actor(sac, tmp_path / "good.pt")
    assert load_actor(tmp_path / "good.pt").act(np.zeros((1, 3), np.float32)).shape == (1, 1)
    payload = torch.load(tmp_path / "good.pt", weights_only=True)
    nan = {**payload, "state_dict": dict(payload["state_dict"])}
    key = next(iter(nan["state_dict"]))
    nan["state_dict"][key] = torch.full_like(nan["state_dict"][key], float("nan"))
    torch.save(nan, tmp_path / "nan.pt")
    with pytest.raises(ValueError, match=rf"its weight '{re.escape(key)}' holds NaN / inf"):
        load_actor(tmp_path / "nan.pt")
    swapped = {
        **payload,
        "action_low": payload["action_high"],
        "action_high": payload["action_low"],
    }
    torch.save(swapped, tmp_path / "swapped.pt")
    with pytest.raises(
        ValueError, match=r"action bounds are not finite with action_low < action_high"
    ):
        load_actor(tmp_path / "swapped.pt")
    with torch.no_grad():
        next(sac.actor.parameters()).fill_(float("nan"))
    with pytest.raises(ValueError, match=r"^model: the actor's weight .* holds NaN / inf"):
        save_actor(sac, tmp_path / "diverged.pt")
    assert not (tmp_path / "diverged.pt").exists()


def test_load_actor_of_a_json_file_gives_no_unsafe_load_advice(tmp_path):
    """Probe 58 row 67: a JSON file given as the actor embedded torch's advice to load with
    weights_only=False (an unsafe load of an untrusted file)."""
    path = tmp_path / "diagnostics.json"
    path.write_text(json.dumps({"a": 1}))
    with pytest.raises(ValueError) as err:
        load_actor(path)
    assert "weights_only" not in str(err.value) and "not a behaviour actor" in str(err.value)


def test_an_out_dir_that_is_a_file_is_refused_before_training(tmp_path):
    """Probe 58: a raw ``FileExistsError: [Errno 17] File exists``, naming no argument."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(ValueError, match=rf"out_dir: {re.escape(str(afile))} is a file; pass a"):
        train_behaviour(_cfg(), afile, progress_bar=False)
    with pytest.raises(ValueError, match=r"out_dir: cannot create .*afile/sub \(Not a directory"):
        train_behaviour(_cfg(), afile / "sub", progress_bar=False)
    assert afile.read_text() == "x" and sorted(tmp_path.iterdir()) == [afile]


def test_an_env_with_a_discrete_action_space_is_refused_at_construction():
    """Probe 58: BehaviourConfig took CartPole-v1; SB3's AssertionError came when training."""
    with pytest.raises(
        ValueError,
        match=r"BehaviourConfig\.env_id: 'CartPole-v1' has a Discrete action space "
        r"\(Discrete\(2\)\); SAC behaviour policies need a Box one",
    ):
        _cfg(env_id="CartPole-v1", band=(0.0, 500.0))


def test_a_missed_band_is_a_warning_of_the_library_and_the_wall_clock_is_one(tmp_path, monkeypatch):
    """Probe 58: a library call ending outside the band said nothing (only make_dataset.py
    printed a WARNING); the summary's wall_s (4.7) was below the chosen checkpoint's (6.4): two
    clocks, the summary's started after the agent was built."""
    import agents.behaviour as behaviour

    clock = [0.0]
    monkeypatch.setattr(behaviour, "time", SimpleNamespace(time=lambda: clock[0]))
    real_sac = behaviour.SAC

    def slow_sac(*args, **kwargs):  # building the agent takes 5 (fake) seconds
        clock[0] += 5.0
        return real_sac(*args, **kwargs)

    monkeypatch.setattr(behaviour, "SAC", slow_sac)
    with pytest.warns(
        behaviour.BandMissedWarning,
        match=r"never entered the band \[1e\+09, 2e\+09\] in 80 SAC steps; the closest checkpoint "
        r"\(step \d+, return -?\d+\.\d\) was chosen.*raise max_steps and train again "
        r"\(resume=True continues from its last save\)",
    ):
        summary = train_behaviour(_cfg(), tmp_path, progress_bar=False)
    assert not summary["in_band"]
    assert summary["wall_s"] >= max(e["wall_s"] for e in summary["history"]) == 5.0


def test_make_dataset_says_a_missed_band_once(tmp_path, monkeypatch, capsys):
    """Probe 58: with the library's own warning, the script keeps its WARNING (naming its flags)
    and does not show the library's too."""
    import warnings

    import agents.behaviour as behaviour
    from tests.scripts import load_script

    cli = load_script("make_dataset")

    def fake(cfg, out, progress_bar=True, resume=False, actor_file="medium_actor.pt"):
        out.mkdir(parents=True, exist_ok=True)
        warnings.warn("library's own", behaviour.BandMissedWarning, stacklevel=2)
        return {
            "config": asdict(cfg),
            "chosen": {"step": 5000, "return_mean": 14.9},
            "in_band": False,
        }

    monkeypatch.setattr(behaviour, "train_behaviour", fake)
    argv = ["--env", "hopper", "--level", "medium", "--train-policy", "--behaviour-steps", "7500",
            "--behaviour-dir", str(tmp_path / "beh")]  # fmt: skip
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        cli.train_agent(cli.parse_args(argv), "medium")
    assert [str(w.message) for w in shown] == []
    assert capsys.readouterr().err.count("WARNING: the medium agent's return never entered") == 1


def test_a_second_call_into_a_finished_agent_s_folder_is_refused(tmp_path):
    """Probe 63 row 60: ``train_behaviour(cfg, D)`` again on a folder holding the finished agent
    of the first call trained from step 0 and replaced its behaviour.json, actor, replay.npz and
    checkpoints without a word (hours at real sizes). resume=True still continues it."""
    cfg = _cfg(band=(-math.inf, math.inf))
    train_behaviour(cfg, tmp_path, progress_bar=False)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir() if p.is_file()}
    with pytest.raises(
        ValueError,
        match=r"^out_dir: .* already holds a behaviour agent \(behaviour\.json, medium_actor\.pt, "
        r"replay\.npz, checkpoints.*\); pass resume=True to continue",
    ):
        train_behaviour(cfg, tmp_path, progress_bar=False)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir() if p.is_file()} == before
    assert train_behaviour(cfg, tmp_path, progress_bar=False, resume=True)["in_band"]


def test_a_resume_with_another_env_names_the_env_the_folder_holds(tmp_path):
    """Probe 64 row 34: ``train_behaviour(BehaviourConfig(env_id='Walker2d-v5', …), D,
    resume=True)`` of a folder holding a Hopper agent was SB3's raw "Observation spaces do not
    match: Box(…(11,)…) != Box(…(17,)…)", naming neither the folder nor the field. It is named
    from behaviour.json (a finished agent), resume/state.json (a killed one), or, for a save from
    before state.json recorded the env, from the model's own spaces."""
    other = _cfg(env_id="MountainCarContinuous-v0", max_steps=160)
    train_behaviour(_cfg(), tmp_path, progress_bar=False)  # killed at 80 = a save point
    match = (
        r"^cfg\.env_id: 'MountainCarContinuous-v0', but .* holds a behaviour agent of "
        r"Pendulum-v1 \(its {}\); pass env_id='Pendulum-v1' to continue it, or another out_dir$"
    )
    with pytest.raises(ValueError, match=match.format(r"resume/state\.json")):
        train_behaviour(other, tmp_path, progress_bar=False, resume=True)
    state_path = tmp_path / "resume" / "state.json"
    state = json.loads(state_path.read_text())
    del state["env_id"]  # as saved before probe 64
    state_path.write_text(json.dumps(state))
    with pytest.raises(ValueError, match=match.format(r"behaviour\.json")):
        train_behaviour(other, tmp_path, progress_bar=False, resume=True)
    (tmp_path / "behaviour.json").unlink()
    with pytest.raises(
        ValueError,
        match=r"^cfg\.env_id: 'MountainCarContinuous-v0', but .* holds a behaviour agent of "
        r"another env \(Observation spaces do not match: .*\) \(its resume/model\.zip\); pass its "
        r"env_id to continue it",
    ):
        train_behaviour(other, tmp_path, progress_bar=False, resume=True)
    assert train_behaviour(_cfg(max_steps=160), tmp_path, progress_bar=False, resume=True)
