"""Probe 64's run-layer findings: the ledger of a finished run whose tb/ event file is damaged."""

import shutil

import pytest

from agents.cotrain import run_cotrain
from tests.agents.test_cotrain import _shared_model_cache, tiny_config, tiny_hopper  # noqa: F401


@pytest.fixture
def finished_run(tiny_hopper, tmp_path_factory):  # noqa: F811 (the fixture)
    """A finished 2-iteration run (evaluated at iterations 0, 1 and 2)."""
    run_dir = tmp_path_factory.mktemp("probe64") / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2, eval_every=1), run_dir)
    return run_dir


def _events(run_dir):
    (events,) = (run_dir / "tb").glob("events.out.tfevents.*")
    return events


@pytest.mark.parametrize("damage", ["overwritten", "cut"])
def test_a_finished_run_whose_event_file_is_damaged_is_refused_naming_tb(
    finished_run, tmp_path, damage
):
    """Probe 64 rows 39-40: was entered as "1 iteration … stopped at iteration 1 of 2 …
    continue it with --resume" (overwritten mid-file) or refused with "add it once its first
    iteration is done" (cut to 300 bytes), both wrong for a finished run."""
    from rambo_env.ledger import update_ledger

    run_dir = tmp_path / "run"
    shutil.copytree(finished_run, run_dir)
    events = _events(run_dir)
    data = bytearray(events.read_bytes())
    if damage == "overwritten":
        n = len(data)
        data[n // 2 : n // 2 + 40] = b"\xff" * 40
    else:
        data = data[:300]
    events.write_bytes(bytes(data))
    with pytest.raises(ValueError) as refused:
        update_ledger(run_dir, tmp_path / "ledger")
    said = str(refused.value)
    assert (
        f"run_dir: {run_dir} finished 2 iterations (results.json) but its TensorBoard logs in "
        in said
    )
    assert f"{events.name} damaged); restore tb/ from a copy of the run, or" in said
    assert "CURVES_LOST" in said and "--resume" not in said and "first iteration" not in said
    assert not (tmp_path / "ledger" / "index.json").exists()
    (run_dir / "tb" / "CURVES_LOST").touch()  # the advice: entered from results.json
    entry = update_ledger(run_dir, tmp_path / "ledger")
    assert entry.iterations == 2 and entry.status == "complete"
