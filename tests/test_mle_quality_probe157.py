"""Probe 157 rows 5a, 5c: mle_quality.py ``--threads 0`` named the field torch_threads, not the
flag; ``--variants 64:1e-3,`` (a trailing comma) was "got ''", where sweep.py says "a stray
comma?"."""

from __future__ import annotations

import pytest

from rambo_env import bench
from tests.scripts import load_script


@pytest.fixture
def script_and_data(tmp_path, monkeypatch):
    script = load_script("mle_quality")
    path = bench.synthetic_dataset(bench.BenchConfig.quick(), n=50).to_npz(tmp_path / "tiny.npz")
    monkeypatch.setattr(script, "load_dataset", lambda *a, **k: pytest.fail("dataset loaded"))
    return script, str(path)


@pytest.mark.parametrize("threads", ["0", "-2", "100000"])
def test_bad_threads_name_the_flag(script_and_data, threads):
    script, path = script_and_data
    with pytest.raises(ValueError, match=rf"^--threads: {threads} is not in \[1, [0-9]+\]") as info:
        script.main(["--dataset", path, "--max-epochs", "1", "--threads", threads])
    assert "torch_threads" not in str(info.value)


@pytest.mark.parametrize("variants", ["64:1e-3,", ",64:1e-3", "64:1e-3,,128:1e-3", ","])
def test_a_stray_comma_in_variants_is_said_as_sweep_says_it(script_and_data, variants):
    script, path = script_and_data
    said = rf"^--variants: an empty item in '{variants}' \(a stray comma\?\); give "
    with pytest.raises(ValueError, match=said + r"'BATCH:LR\[:PRECISION\]\[,\.\.\.\]'$"):
        script.main(["--dataset", path, "--max-epochs", "1", "--variants", variants])
