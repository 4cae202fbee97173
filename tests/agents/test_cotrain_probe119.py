"""Probe 119 row 9: root (sudo) starting a NEW run in a user's folder left the run's ``tb/``
folder and its event file root's (only a resume gave the event files back); the user's
``--resume`` was then refused ("tb is another user's folder"). They take the run folder's
owner, and so does anything else another writer made in the run folder."""

from __future__ import annotations

import os

import pytest

from agents.callback import ADVERSARY_STEPS_ATTR
from agents.cotrain import load_session, run_cotrain, tensorboard_logger
from rambo_env import run_io
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401 (the fixture)

needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root (chown)"
)

USER = 4242


@needs_root
@pytest.mark.parametrize("purge_step", [None, 3])
def test_a_new_runs_tb_folder_in_a_users_run_folder_is_the_users(tmp_path, purge_step):
    run_dir = tmp_path / "root1"
    run_dir.mkdir()
    os.chown(run_dir, USER, USER)
    logger = tensorboard_logger(run_dir / run_io.TB_DIR, purge_step=purge_step)
    logger.record("x", 1.0)
    logger.dump(0)
    logger.close()
    tb = run_dir / run_io.TB_DIR
    events = list(tb.glob("events.out.tfevents.*"))
    assert events
    assert {p.lstat().st_uid for p in [tb, *events]} == {USER}  # was: root's for a new run


@needs_root
def test_other_writers_files_in_a_users_run_folder_are_given_back(tmp_path):
    run_dir = tmp_path / "root2"
    (run_dir / "plots").mkdir(parents=True)
    (run_dir / "plots" / "a.png").write_bytes(b"png")
    os.chown(run_dir, USER, USER)
    third = run_dir / "theirs.txt"
    third.write_text("x")
    os.chown(third, 777, 777)
    run_io.give_tree_to_folder_owner(run_dir, trees=[run_dir])
    assert (run_dir / "plots").stat().st_uid == USER
    assert (run_dir / "plots" / "a.png").stat().st_uid == USER
    assert third.stat().st_uid == 777  # a third user's file is left as it is
    mine = tmp_path / "mine"
    (mine / "tb").mkdir(parents=True)
    run_io.give_tree_to_folder_owner(mine, trees=[mine])  # root's own folder: root's
    assert (mine / "tb").stat().st_uid == 0


def test_a_loaded_run_records_its_adversary_steps_on_mdp_and_agent(tiny_hopper, tmp_path):  # noqa: F811
    """Probe 119 rows 18-21: what mdp.save / agent.save then record (the callback's
    fresh-adversary warning reads them) is the run's adversary steps, not 0."""
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1, eval_every=1), run_dir)
    session, _ = load_session(run_dir)
    assert session.adversary.n_steps > 0
    assert session.mdp.adversary_steps == session.adversary.n_steps  # was: 0, the MLE model's
    assert getattr(session.agent, ADVERSARY_STEPS_ATTR) == session.adversary.n_steps
