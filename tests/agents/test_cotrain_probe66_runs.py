"""Probe 66a rows 35-37: a nearly full disk is found before the expensive work (the MLE, the
BC warm start, the collection), not at the first write after it."""

from __future__ import annotations

import errno
import shutil
from collections import namedtuple

import pytest

from agents.cotrain import run_cotrain
from rambo_env import run_io
from rambo_env.run_io import WriteFailedError
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401

_Usage = namedtuple("_Usage", "total used free")


def _disk_with(monkeypatch, free: int) -> None:
    monkeypatch.setattr(shutil, "disk_usage", lambda path: _Usage(10 * 2**30, 0, free))


def test_check_free_space_names_the_file_and_the_room(tmp_path, monkeypatch):
    _disk_with(monkeypatch, 2**20)
    with pytest.raises(WriteFailedError) as caught:
        run_io.check_free_space(tmp_path / "new" / "x.pt", 3 * 2**20, "the thing", "--run-dir")
    assert caught.value.errno == errno.ENOSPC
    assert str(caught.value).startswith(
        f"{tmp_path / 'new' / 'x.pt'}: not written: the disk holding {tmp_path / 'new'} is full "
        "(No space left on device: the thing needs at least ~3 MiB, 1 MiB are free); free some "
        "space there (or write elsewhere: --run-dir)"
    )
    run_io.check_free_space(tmp_path / "x.pt", 2**19, "the thing")  # room: nothing said


@pytest.mark.parametrize(
    ("where", "match"),
    [
        ("run folder", r"checkpoint\.pt: not written: .*the run's checkpoint"),
        ("model cache", r"\.partial\.pt: not written: .*the MLE pretraining's checkpoint"),
    ],
)
def test_a_full_disk_is_found_before_the_mle(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    where,
    match,
):
    """Rows 35-36: checkpoint.pt failed with "disk full" after the MLE, BC and the first
    evaluation; the model cache's first MLE checkpoint (.partial.pt) after an MLE epoch."""
    from rambo_env import model
    from rambo_env.data.loaders import load_dataset

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "cache"))
    trained = []
    monkeypatch.setattr(model, "train_mle", lambda *a, **k: trained.append(1))
    _disk_with(monkeypatch, 1000)
    with pytest.raises(WriteFailedError, match=match):
        if where == "run folder":
            run_cotrain(tiny_config(tiny_hopper), tmp_path / "run")
        else:
            model.make_mdp(load_dataset(tiny_hopper), seed=0)
    assert trained == []


def test_a_full_disk_under_the_minari_root_is_found_before_collecting(monkeypatch):
    """Row 37: make_dataset.py collected everything, then said the disk was full."""
    from rambo_env.data import generate

    collected = []
    monkeypatch.setattr(generate, "_level_episodes", lambda *a, **k: collected.append(1))
    _disk_with(monkeypatch, 1000)
    with pytest.raises(
        WriteFailedError, match=r"main_data\.hdf5: not written: .*the dataset needs"
    ):
        generate.generate_dataset("hopper", "random", n_transitions=5000, n_workers=1)
    assert collected == []


def test_resuming_a_finished_run_draws_a_missing_learning_curve_again(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    """Probe 69b: a kill while learning_curve.png was drawn left a finished run without it, and
    ``--resume`` said only "already finished; nothing to resume"."""
    from agents.cotrain import load_config

    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    curve = run_dir / "learning_curve.png"
    curve.unlink()
    capsys.readouterr()
    result = run_cotrain(load_config(run_dir), run_dir, resume=True)
    assert result["already_finished"] and curve.read_bytes()[:4] == b"\x89PNG"
    assert "learning_curve.png was missing (killed while it was drawn?): drawn again" in (
        capsys.readouterr().out
    )
