"""save_model / load_model round trips (weights_only), atomic writes, cache location and key."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
from rambo_env.dynamics.io import (
    cache_dir,
    cache_key,
    cache_lock,
    cache_path,
    load_model,
    save_model,
)
from rambo_env.dynamics.training import MLEConfig, MLEReport
from rambo_env.normalization import ObsNormalizer

CFG = EnsembleConfig(n_members=3, n_elites=2, hidden_dims=(8,), weight_decays=(1e-4, 2e-4))


def trained_like_model() -> tuple[GaussianEnsemble, ObsNormalizer, MLEReport]:
    model = GaussianEnsemble(4, 2, CFG, generator=torch.Generator().manual_seed(0))
    model.set_input_stats(torch.linspace(-1, 1, 6), torch.linspace(0.5, 2, 6))
    model.set_elites([2, 0])
    with torch.no_grad():
        model.max_logvar.add_(0.3)
    norm = ObsNormalizer(mean=np.arange(4.0), std=np.full(4, 2.0))
    report = MLEReport(
        epochs=3, holdout_mse=(0.1, 0.3, 0.05), elites=(2, 0), wall_s=1.5, stopped_by="early_stop",
        train_loss=(3.0, 2.0, 1.0), holdout_history=(0.5, 0.3, 0.2), n_train=90, n_holdout=10,
    )  # fmt: skip
    return model, norm, report


def test_round_trip_reproduces_predictions(tmp_path: Path) -> None:
    model, norm, report = trained_like_model()
    mle_cfg = MLEConfig(max_epochs=7, seed=3)
    path = save_model(tmp_path / "m.pt", model, norm, mle_cfg, report, meta={"dataset": "x"})
    loaded = load_model(path, device="cpu")
    obs, action = torch.randn(20, 4), torch.randn(20, 2)
    idx, noise = torch.randint(0, 3, (20,)), torch.randn(20, 5)
    for a, b in zip(model(obs, action), loaded.ensemble(obs, action), strict=True):
        assert torch.equal(a, b)
    for a, b in zip(
        model.sample(obs, action, idx, noise),
        loaded.ensemble.sample(obs, action, idx, noise),
        strict=True,
    ):
        assert torch.equal(a, b)
    assert loaded.ensemble.elite_idx.tolist() == [2, 0]
    assert loaded.ensemble.config == CFG
    np.testing.assert_array_equal(loaded.normalizer.mean, norm.mean)
    np.testing.assert_array_equal(loaded.normalizer.std, norm.std)
    assert loaded.mle_config == mle_cfg and loaded.report == report
    assert loaded.meta == {"dataset": "x"}
    raw = torch.load(path, weights_only=True)  # plain tensors and primitives only
    assert raw["obs_dim"] == 4 and raw["action_dim"] == 2


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model, norm, _ = trained_like_model()
    path = save_model(tmp_path / "m.pt", model, norm)
    before = path.read_bytes()

    def broken_save(obj, f) -> None:
        f.write(b"partial")  # the open temp file given by the atomic writer
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_model(path, model, norm)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt"]  # no temp file left behind
    loaded = load_model(path, device="cpu")
    assert loaded.report is None and loaded.mle_config is None


def test_an_empty_home_counts_as_unset_for_the_default_cache_and_minari_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Probe 16: ``HOME=""`` put the model cache in ``/.cache/rambo_env`` and the Minari root in
    ``/.minari/datasets`` (silently, as root); now the passwd entry's home, as with HOME unset."""
    import pwd

    from rambo_env.data.minari_io import minari_dataset_path

    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    monkeypatch.delenv("RAMBO_ENV_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("MINARI_DATASETS_PATH", raising=False)
    for blank in ("", " "):
        monkeypatch.setenv("HOME", blank)
        assert cache_dir() == home / ".cache" / "rambo_env"
        assert minari_dataset_path("a/b-v0") == home / ".minari" / "datasets" / "a" / "b-v0"


def test_an_unwritable_xdg_cache_home_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Probe 38 row 58: ``XDG_CACHE_HOME`` set to a file, ``RAMBO_ENV_CACHE`` unset: the error
    named RAMBO_ENV_CACHE, which is not set; it names XDG_CACHE_HOME now."""
    from rambo_env.dynamics.io import check_cache_dir

    (tmp_path / "file").write_text("x")
    monkeypatch.delenv("RAMBO_ENV_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    with pytest.raises(ValueError) as info:
        check_cache_dir()
    message = str(info.value)
    assert message.startswith(
        "XDG_CACHE_HOME: model cache ($XDG_CACHE_HOME/rambo_env, as RAMBO_ENV_CACHE is unset) "
        f"{tmp_path / 'file' / 'rambo_env'} "
    ), message
    assert message.endswith("; fix XDG_CACHE_HOME, or set RAMBO_ENV_CACHE to a writable folder")
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "file" / "c"))
    with pytest.raises(ValueError, match=r"^RAMBO_ENV_CACHE: model cache .*set RAMBO_ENV_CACHE"):
        check_cache_dir()


def test_cache_dir_follows_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Probe 36 row 80: ``XDG_CACHE_HOME`` (clusters point it at scratch) was ignored: the
    models went to ``~/.cache/rambo_env``. It is followed now; ``RAMBO_ENV_CACHE`` still wins,
    and a relative or empty one is ignored, as the XDG spec says."""
    monkeypatch.delenv("RAMBO_ENV_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "rambo_env"
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("RAMBO_ENV_CACHE")
    for ignored in ("", "rel/cache"):
        monkeypatch.setenv("XDG_CACHE_HOME", ignored)
        assert cache_dir() == Path.home() / ".cache" / "rambo_env"


def test_cache_dir_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("RAMBO_ENV_CACHE")
    assert cache_dir() == Path.home() / ".cache" / "rambo_env"
    monkeypatch.setenv("RAMBO_ENV_CACHE", "")  # set but empty = unset (as XDG_CACHE_HOME)
    assert cache_dir() == Path.home() / ".cache" / "rambo_env"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RAMBO_ENV_CACHE", "~/c")  # quoted: the shell leaves the ~
    assert cache_dir() == tmp_path / "home" / "c"  # was: a folder named ~ in the working dir
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAMBO_ENV_CACHE", "rel")  # probe 11: was kept relative (sweep trials
    assert cache_dir() == tmp_path / "rel"  # run in other folders: one cache each)
    key = cache_key("abc", EnsembleConfig(), MLEConfig(), seed=0)
    assert key == cache_key("abc", EnsembleConfig(), MLEConfig(), seed=0)
    variants = {
        cache_key("abd", EnsembleConfig(), MLEConfig(), seed=0),
        cache_key("abc", EnsembleConfig(n_elites=4), MLEConfig(), seed=0),
        cache_key("abc", EnsembleConfig(), MLEConfig(max_epochs=5), seed=0),
        cache_key("abc", EnsembleConfig(), MLEConfig(), seed=1),
    }
    assert key not in variants and len(variants) == 4
    # fp32 keeps the keys of before the precision option (existing caches stay valid); bf16 its own.
    assert cache_key("abc", EnsembleConfig(), MLEConfig(), 0, precision="fp32") == key
    assert cache_key("abc", EnsembleConfig(), MLEConfig(), 0, precision="bf16") != key
    assert cache_path(key).name == f"dynamics-{key}.pt"


def test_rejects_unknown_format(tmp_path: Path) -> None:
    model, norm, _ = trained_like_model()
    path = save_model(tmp_path / "m.pt", model, norm)
    checkpoint = torch.load(path, weights_only=True)
    checkpoint["format_version"] = 99
    torch.save(checkpoint, path)
    with pytest.raises(ValueError, match="format_version 99"):
        load_model(path, device="cpu")


_HOLD_LOCK = """
import fcntl, os, sys, time
f = open(sys.argv[1], "a+")
fcntl.flock(f, fcntl.LOCK_EX)
f.write(str(os.getpid())); f.flush()
print("locked", flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="fcntl.flock is POSIX only")
def test_cache_lock_waits_for_its_holder_and_a_killed_holder_never_blocks(tmp_path, capsys):
    model = tmp_path / "dynamics-abc.pt"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, f"{model}.lock"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        acquired = threading.Event()

        def second() -> None:
            with cache_lock(model):
                acquired.set()

        waiter = threading.Thread(target=second)
        waiter.start()
        assert not acquired.wait(0.5)  # the holder has it: the second one waits
        holder.kill()  # kill -9 mid-training: the kernel drops its flock
        assert acquired.wait(10)
        waiter.join()
    finally:
        holder.kill()
        holder.wait()
    out = capsys.readouterr().out
    assert out.count("waiting") == 1 and f"waiting for process {holder.pid}, which is" in out
    assert not Path(f"{model}.lock").exists()  # removed by the last holder
    Path(f"{model}.lock").write_text("999999999")  # left by a killed process: means nothing
    with cache_lock(model):
        # its PID first, then where it runs (probe 102 row 2)
        assert Path(f"{model}.lock").read_text().split()[0] == str(os.getpid())
    assert "waiting" not in capsys.readouterr().out


def test_a_model_cache_lock_that_is_a_folder_is_named(tmp_path):
    """Probe 11: was a bare "[Errno 21] Is a directory: '…pt.lock'" after the dataset load."""
    model = tmp_path / "dynamics-x.pt"
    Path(f"{model}.lock").mkdir()
    with pytest.raises(ValueError, match=r"RAMBO_ENV_CACHE: .*dynamics-x.pt.lock is not a file"):
        with cache_lock(model):
            pass


def test_a_missing_damaged_or_foreign_model_file_is_named(tmp_path: Path) -> None:
    """Probe 62: ``load_model`` of a damaged file raised torch's ``UnpicklingError`` advising an
    unsafe ``weights_only=False`` load (or ``PytorchStreamReader``), of a folder
    ``IsADirectoryError``, of a run's checkpoint.pt ``KeyError: 'ensemble_config'``."""
    model, norm, report = trained_like_model()
    good = save_model(tmp_path / "good.pt", model, norm, report=report)
    (tmp_path / "garbage.pt").write_bytes(b"garbage" * 10)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[:1000])
    torch.save({"agent": {}, "ensemble": {}, "format_version": 3}, tmp_path / "checkpoint.pt")
    cases = {
        tmp_path / "none.pt": r"^model file .*none\.pt: does not exist; pass a file written by save_model$",
        tmp_path: r"^model file .*: is a folder; pass a file written by save_model$",
        tmp_path / "garbage.pt": r"^model file .*garbage\.pt: unreadable \(ValueError: not a torch file: it does not begin as one\); it was damaged",
        truncated: r"^model file .*truncated\.pt: unreadable \(RuntimeError: .*\); it was damaged",
        tmp_path / "checkpoint.pt": r"^model file .*checkpoint\.pt: not a dynamics model written by "
        r"save_model: no \['obs_dim', 'action_dim', 'ensemble_config'\] .*load it with "
        r"agents\.cotrain\.load_session\)$",
    }  # fmt: skip
    for path, message in cases.items():
        with pytest.raises((ValueError, FileNotFoundError), match=message) as err:
            load_model(path, device="cpu")
        assert "weights_only" not in str(err.value)  # never the unsafe advice
    with pytest.raises(ValueError, match=r"^device: 'gpu' is not a torch device"):
        load_model(good, device="gpu")


def test_save_model_refuses_what_load_model_could_not_read(tmp_path: Path) -> None:
    """Probe 62: ``meta={"n": np.int64(3)}`` or an object in it was written into a file that
    ``load_model`` then could not read (a weights-only load); ``normalizer=None`` was a raw
    AttributeError; a path under a file a raw FileExistsError."""
    model, norm, _ = trained_like_model()
    meta = {"n": np.int64(3), "x": np.float32(0.5), "t": (1, 2), "d": {"flag": np.True_}}
    saved = save_model(tmp_path / "m.pt", model, norm, meta=meta)
    assert load_model(saved, device="cpu").meta == {
        "n": 3,
        "x": 0.5,
        "t": [1, 2],
        "d": {"flag": True},
    }
    with pytest.raises(ValueError, match=r"^meta\['d'\]\['o'\]: object .* is not plain data"):
        save_model(tmp_path / "o.pt", model, norm, meta={"d": {"o": object()}})
    with pytest.raises(ValueError, match=r"^normalizer: expected an ObsNormalizer, got NoneType$"):
        save_model(tmp_path / "o.pt", model, None)
    with pytest.raises(ValueError, match=r"^path: .*m\.pt is not a folder"):
        save_model(saved / "x.pt", model, norm)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt"]  # nothing half-written
