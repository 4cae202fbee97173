"""Probe 82 row 15: ``diagnose.py RUN --seed 1`` wrote over the --seed 0 report without a word, and
the report recorded neither its seed nor its --n-starts / --n-episodes / device, so a saved
report could not be reproduced or told apart from another seed's."""

import json

from agents.cotrain import run_cotrain
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)
from tests.scripts import load_script


def test_the_report_records_its_arguments_and_a_report_of_others_is_not_replaced_silently(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    diagnose = load_script("diagnose")
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1, n_eval_episodes=1), run_dir)
    argv = [str(run_dir), "--n-starts", "8", "--n-episodes", "2", "--max-steps", "20"]
    out = run_dir / "diagnostics-it1.json"
    assert diagnose.main(argv) == 0
    arguments = json.loads(out.read_text())["arguments"]
    assert arguments == {
        "seed": 0,
        "n_starts": 8,
        "n_episodes": 2,
        "max_steps": 20,
        "device": "cpu",
    }
    capsys.readouterr()
    assert diagnose.main(argv) == 0  # the same arguments: replaced quietly (the same report)
    assert "replace" not in capsys.readouterr().out
    assert diagnose.main([*argv, "--seed", "1"]) == 0  # was: written over without a word
    said = capsys.readouterr().out
    assert f"note: {out} holds a report of --seed 0; this one replaces it" in said
    assert f"wrote {out} (replaced a report of --seed 0)" in said
    assert json.loads(out.read_text())["arguments"]["seed"] == 1
