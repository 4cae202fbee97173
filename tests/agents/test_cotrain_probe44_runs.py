"""Probe 44 (session 29, fixC): the run layer's findings — a stray top-level key in a run's
config.json, the --eval-last wording (see test_cotrain_probe34), the note for a never-evaluated
run's empty score panel, duplicate sweep configs shown as reprs, bench.py's --algos help."""

from __future__ import annotations

import json

import pytest

from agents.cotrain import load_config
from agents.sweep import SweepSpec
from rambo_env.curves import CURVE_COLUMNS, plot_curves
from rambo_env.ledger import update_ledger
from tests.agents.test_cotrain import _shared_model_cache, tiny_hopper  # noqa: F401 (fixtures)
from tests.agents.test_cotrain_probe33 import _tiny_argv
from tests.scripts import load_script

cotrain_cli = load_script("cotrain")


def test_a_stray_top_level_key_in_config_json_is_refused_on_resume_and_by_the_ledger(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    """Probe 44 row 49: ``{"seed": 7, "config": …, "resolved": …}`` resumed with seed 0, the
    key ignored without a word (the same key inside "config" is an unknown field)."""
    run_dir = tmp_path / "run"
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "1")) == 0
    capsys.readouterr()
    config_path = run_dir / "config.json"
    saved = json.loads(config_path.read_text())
    config_path.write_text(json.dumps({"seed": 7, **saved}))
    message = (
        f"run_dir: {config_path}: unknown top-level key(s) ['seed'] (the run's settings live "
        'under "config"); remove it'
    )
    assert cotrain_cli.main(["--resume", str(run_dir), "--n-iterations", "2"]) == 2
    assert message in capsys.readouterr().err
    assert json.loads(config_path.read_text())["config"]["n_iterations"] == 1  # not resumed
    with pytest.raises(ValueError) as err:
        update_ledger(run_dir, tmp_path / "ledger")
    assert message in str(err.value)
    assert not (tmp_path / "ledger").exists()
    config_path.write_text(json.dumps({**saved, "resolve": {}, "seed": 7}))
    with pytest.raises(ValueError) as err:
        load_config(run_dir)  # resume, diagnose.py and load_session read it through this
    assert (
        "unknown top-level key(s) ['resolve', 'seed'] (the run's settings live under "
        "\"config\"); 'resolve' (did you mean 'resolved'?); remove them"
    ) in str(err.value)
    config_path.write_text(json.dumps(saved))
    assert load_config(run_dir).n_iterations == 1


def _rows(evaluated: bool) -> list[dict[str, float | None]]:
    return [
        {
            "iteration": i,
            **dict.fromkeys(CURVE_COLUMNS),
            "q_avg": float(i),
            "return_mean": 5.0 if evaluated else None,
        }
        for i in range(3)
    ]


def test_the_empty_score_panel_of_a_never_evaluated_run_says_so_not_the_agent(tmp_path, capsys):
    """Probe 44 row 11: an env-less sweep trial's return_mean panel (ledger.py, curves.py) was
    blamed on the agent ("e.g. TD3 has no ent_coef?"); it was never evaluated."""
    columns = ("return_mean", "normalized_score", "q_avg", "ent_coef")
    plot_curves(tmp_path / "one.png", {"s0": _rows(False)}, columns=columns)
    out = capsys.readouterr().out
    never = (
        "no run was ever evaluated: their data name no Gymnasium env to evaluate in; "
        "scripts/cotrain.py --env-id YourEnv-v0 gives one"
    )
    assert f"no run has a return_mean value: its panel is empty; {never}" in out
    assert f"no run has a normalized_score value: its panel is empty; {never}" in out
    assert (  # a column only an agent logs: the agent note stays
        "no run has an ent_coef value: its panel is empty; no run logged it (an agent without "
        "it, e.g. TD3 has no ent_coef?)"
    ) in out
    assert out.count("TD3 has no ent_coef") == 1
    plot_curves(tmp_path / "two.png", {"s0": _rows(False), "s1": _rows(True)}, columns=columns)
    out = capsys.readouterr().out
    assert (
        "note: s0 has no return_mean value (never evaluated: its data name no Gymnasium env to "
        "evaluate in; scripts/cotrain.py --env-id YourEnv-v0 gives one): not in that panel"
    ) in out
    assert "reference scores" in out  # s1 was evaluated: normalized_score lacks its references


def test_duplicate_sweep_configs_are_shown_as_the_flag_takes_them(tiny_hopper, capsys):  # noqa: F811
    """Probe 44 row 46: was ``duplicates in [RamboPreset(rollout_length=2, …), …]``."""
    with pytest.raises(ValueError) as err:
        SweepSpec((tiny_hopper,), ((2, 3e-4), (2, 0.0003), (5, 0.0)), (0,))
    assert str(err.value) == "configs: duplicates in [2:3e-4, 2:3e-4, 5:0] (k:λ)"
    sweep = load_script("sweep")
    parser = sweep.build_parser()
    args = parser.parse_args(["--datasets", tiny_hopper, "--configs", "2:3e-4,2:3e-4"])
    with pytest.raises(SystemExit):
        sweep.resolve_args(args, parser)
    err_text = capsys.readouterr().err
    assert "configs: duplicates in [2:3e-4, 2:3e-4] (k:λ)" in err_text
    assert "RamboPreset" not in err_text


def test_bench_help_says_sac_is_required_and_which_agents_can_be_timed(capsys):
    """Probe 44 row 53: ``--algos`` help was "agents to time (default sac,td3,tqc)"."""
    with pytest.raises(SystemExit):
        load_script("bench").main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert (
        "agents to time, comma-separated, from sac, td3, tqc (only these can be timed: not ddpg "
        "or crossq); must include sac"
    ) in help_text
