"""scripts/port_kit_dynamics.py: bad inputs are one ``error:`` line, before the dataset load."""

from __future__ import annotations

import re

import pytest
import torch

from tests.scripts import load_script, python_path


@pytest.mark.parametrize(
    ("kit", "flags", "message"),
    [
        ("missing", [], r"error: kit_file: .*missing\.pt does not exist; pass the DYNAMICS\.pt"),
        ("folder", [], r"error: kit_file: .* is a folder"),
        ("foreign", [], r"error: kit_file: .*has no \['model', .*\] entries"),
        ("garbage", [], r"error: kit_file: .*unreadable \("),
        ("foreign", ["--seed", "-1"], r"error: seed: expected an int in \[0, 2\*\*31\), got -1"),
    ],
)
def test_port_kit_dynamics_bad_inputs_are_one_line(
    tmp_path, monkeypatch, capsys, kit, flags, message
):
    """Probe 9: each was a raw traceback (FileNotFoundError / KeyError 'model' / ValueError), a
    missing file only after the dataset load (which may generate 1M transitions)."""
    script = load_script("port_kit_dynamics")
    monkeypatch.setattr(script, "load_dataset", lambda *a, **k: pytest.fail("dataset loaded first"))
    path = {"missing": tmp_path / "missing.pt", "folder": tmp_path}.get(kit, tmp_path / "k.pt")
    if kit == "foreign":
        torch.save({"a": 1}, path)
    elif kit == "garbage":
        path.write_bytes(b"not a torch file")
    assert script.main([str(path), "--dataset", "x.npz", *flags]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.match(message, err), err


@pytest.mark.parametrize(
    ("args", "kit_root", "message"),
    [
        # probe 34: the error line itself names the arguments
        (
            [],
            None,
            r"error: expected 4 to 6 arguments \(ADV_WEIGHT DYN_UPDATE_FREQ EPOCHS OUT\.csv "
            r"\[SEED \[DYNAMICS\.pt\]\]\), got 0\n",
        ),
        (["1", "2"], None, r"error: expected 4 to 6 arguments \(ADV_WEIGHT .*\), got 2\n"),
        (["3e-4", "1000", "5", "out.csv"], None, r"error: KIT_ROOT: not set; it names OfflineR"),
        (["3e-4", "1000", "5", "out.csv"], "/", r"error: KIT_ROOT: '/' is not a checkout of"),
        (["x", "1000", "5", "out.csv"], "/", r"error: ADV_WEIGHT is a number"),
        # probe 15: a folder holding an empty offlinerlkit/ was a raw ModuleNotFoundError
        (["3e-4", "1000", "5", "out.csv"], "KIT", r"error: KIT_ROOT: importing OfflineRL-Kit"),
        # probe 69: a quoted ~ was "'~/kit' is not a checkout" of a real checkout
        (["3e-4", "1000", "5", "out.csv"], "~/KIT", r"error: KIT_ROOT: importing OfflineRL-Kit"),
    ],
)
def test_kit_side_by_side_without_kit_or_arguments_is_one_error(tmp_path, args, kit_root, message):
    """Probe 10: was a raw ``KeyError: 'KIT_ROOT'`` traceback (also for ``--help``), or an
    ``IndexError`` without arguments."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "KIT_ROOT"}
    env["PYTHONPATH"] = python_path()
    if kit_root == "KIT":
        (tmp_path / "kit" / "offlinerlkit").mkdir(parents=True)
        kit_root = str(tmp_path / "kit")
    if kit_root == "~/KIT":  # HOME is tmp_path: ~/kit is that checkout
        (tmp_path / "kit" / "offlinerlkit").mkdir(parents=True)
        env["HOME"], kit_root = str(tmp_path), "~/kit"
    if kit_root is not None:
        env["KIT_ROOT"] = kit_root
    script = Path(__file__).resolve().parents[1] / "scripts" / "kit_side_by_side.py"
    done = subprocess.run(
        [sys.executable, str(script), *args], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 2 and re.search(message, done.stderr), done.stderr
    assert "Traceback" not in done.stderr


def test_port_kit_dynamics_takes_env_id_as_cotrain_does(tmp_path, monkeypatch, capsys):
    """Probe 42: the loader's advice "pass env_id=... (--env-id)" named a flag this script
    lacked; the data's env reaches the load (and the run config whose MLE key is written)."""
    script = load_script("port_kit_dynamics")
    monkeypatch.setattr(script, "read_kit_file", lambda path: {})
    loads = []

    def load(name, env_id=None):
        loads.append((name, env_id))
        raise ValueError("stop here")

    monkeypatch.setattr(script, "load_dataset", load)
    assert (
        script.main([str(tmp_path / "k.pt"), "--dataset", "p.hdf5", "--env-id", "Pendulum-v1"]) == 2
    )
    assert loads == [("p.hdf5", "Pendulum-v1")]


def _kit_file(path, damage):
    """A Kit-layout DYNAMICS.pt (11-dim obs, 3-dim action) with one entry damaged."""
    import numpy as np

    state = {
        "backbones.0.weight": torch.zeros(7, 14, 8),
        "backbones.0.bias": torch.zeros(7, 1, 8),
        "max_logvar": torch.full((1, 12), 0.5),
        "min_logvar": torch.full((1, 12), -10.0),
        "elites": torch.arange(5),
    }
    kit = dict(
        model=state,
        obs_mean=np.zeros(11),
        obs_std=np.ones(11),
        scaler_mu=np.zeros(14),
        scaler_std=np.ones(14),
    )
    if damage == "nan":
        state["backbones.0.weight"].fill_(float("nan"))
    elif damage == "inverted":
        state["max_logvar"].fill_(-20.0)
    elif damage == "std0":
        kit["obs_std"] = np.zeros(11)
    elif damage == "std_inf":
        kit["obs_std"][3] = np.inf
    torch.save(kit, path)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("nan", r"its weight 'backbones\.0\.weight' holds NaN / inf; re-run scripts/kit_side"),
        ("inverted", r"max_logvar < min_logvar in places; re-run scripts/kit_side_by_side\.py"),
        ("std0", r"obs_std holds values <= 0 \(Kit stores std \+ 1e-3 > 0\)"),
        ("std_inf", r"obs_std holds NaN / inf; re-run"),
    ],
)
def test_port_kit_dynamics_refuses_unusable_numbers(
    tmp_path, monkeypatch, capsys, recwarn, damage, message
):
    """Probe 59: NaN weights and inverted log-variance bounds were saved into the model cache
    (rc 0), a zero obs_std gave numpy's divide warning and blamed the dataset; now one error
    before the dataset load, and nothing written."""
    script = load_script("port_kit_dynamics")
    monkeypatch.setattr(script, "load_dataset", lambda *a, **k: pytest.fail("dataset loaded first"))
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "kit.pt"
    _kit_file(path, damage)
    assert script.main([str(path)]) == 2
    err = capsys.readouterr().err
    assert re.match(r"error: kit_file: .*kit\.pt: " + message, err), err
    assert not (tmp_path / "cache").exists()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
