"""Probe 63 row 45: read_npz checks a given env_id against the data and names unknown keywords."""

from __future__ import annotations

import pytest

from rambo_env.data import loaders
from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.loaders import read_npz
from tests.data.data_helpers import make_dataset


def test_read_npz_checks_a_given_env_id_and_names_an_unknown_keyword(tmp_path):
    path = tmp_path / "hopper.npz"
    make_dataset().to_npz(path)  # Hopper-v5 data: obs_dim 11
    with pytest.raises(DatasetValidationError, match=r"obs_dim 11 .*env_id='Walker2d-v5'"):
        read_npz(path, env_id="Walker2d-v5")  # was: returned, its env_id contradicting its dims
    with pytest.raises(
        TypeError, match=r"^read_npz: unexpected keyword bogus; the metadata keywords are env_id"
    ):
        read_npz(path, bogus=1)  # was: OfflineDataset.__init__'s raw TypeError
    with pytest.raises(TypeError, match=r"^read_npz: unexpected keyword actions \(an array: from"):
        read_npz(path, actions=1)
    assert read_npz(path, env_id="Hopper-v5").env_id == "Hopper-v5"
    assert read_npz(path).obs_dim == 11


def test_read_npz_says_when_env_id_overrides_the_files_own(tmp_path, capsys):
    """Probe 65 row 10: ``env_id='Hopper-v4'`` on a file recording Hopper-v5 replaced it without a
    word (same dims: the evaluation would run on another env version); load_dataset warns so."""
    path = tmp_path / "hopper.npz"
    make_dataset().to_npz(path)
    loaders._WARNED_ENV_OVERRIDE.discard(("Hopper-v5", "Hopper-v4"))
    assert read_npz(path, env_id="Hopper-v4").env_id == "Hopper-v4"
    out = capsys.readouterr().out
    assert "records Hopper-v5 data, but env_id= (--env-id) overrides it with Hopper-v4" in out
    assert read_npz(path, env_id="Hopper-v5").env_id == "Hopper-v5"
    assert "WARNING" not in capsys.readouterr().out
    for bad, match in ((5, r"env_id"), ("os:Env", r"env_id"), ("NoSuchEnv-v0", r"NoSuchEnv")):
        with pytest.raises(ValueError, match=match):
            read_npz(path, env_id=bad)
