"""Probe 115: with an h5py that fails to import (a numpy ABI mismatch), make_dataset.py collected
everything and then failed in Minari's hdf5 storage with "h5py is not installed" (it is), the
collection lost. Now the broken h5py is named before any collection (or behaviour training)."""

from __future__ import annotations

import sys

import pytest

from rambo_env.requirements import BrokenDependencyError
from tests.scripts import load_script


@pytest.fixture
def broken_h5py(monkeypatch, tmp_path):
    fake = tmp_path / "fake" / "h5py"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise ImportError('numpy.core.multiarray failed to import')\n"
    )
    monkeypatch.syspath_prepend(str(fake.parent))
    monkeypatch.delitem(sys.modules, "h5py", raising=False)
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))


def test_generate_dataset_names_a_broken_h5py_before_collecting(broken_h5py):
    from rambo_env.data import generate

    with pytest.raises(BrokenDependencyError, match=r"h5py .* is installed but cannot be imp"):
        generate.generate_dataset("hopper", "random", n_transitions=300, n_workers=1)


def test_make_dataset_says_so_before_any_work(broken_h5py, capsys):
    script = load_script("make_dataset")
    ran = []
    script.generate = ran.append
    rc = script.main(["--env", "hopper", "--level", "random", "--n-transitions", "300"])
    err = capsys.readouterr().err
    assert rc != 0 and not ran
    assert "h5py (a declared dependency of rambo-env) is installed but cannot be imported" in err
