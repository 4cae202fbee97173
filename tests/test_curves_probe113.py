"""Probe 113 (leftover): curves.py said of a SAC run written before rambo_env logged the actor's
log-σ (8f141ef, 2026-11-30; ce7e723's runs) "no actor_log_std value (an agent without it, e.g.
TD3 has no actor_log_std?)". The note now reads each run's agent (config.json's ``algo``): a
deterministic actor has none; a stochastic one's run predates the column."""

from __future__ import annotations

import json
from pathlib import Path

from stable_baselines3.common.logger import configure

from rambo_env.curves import empty_columns, plot_curves
from rambo_env.run_io import TB_DIR
from tests.scripts import load_script


def _rows(log_std: bool) -> list[dict]:
    return [
        {"iteration": i, "q_avg": 1.0, "normalized_score": 2.0}
        | ({"actor_log_std": -1.0} if log_std and i else {})
        for i in range(3)
    ]


def _note(out: str, column: str = "actor_log_std") -> str:
    (line,) = [x for x in out.splitlines() if f"no {column} value" in x]
    return line


def test_a_stochastic_actors_run_without_the_column_is_said_to_predate_it(tmp_path, capsys):
    runs = {"old": _rows(False), "new": _rows(True), "td3": _rows(False)}
    columns = ("q_avg", "actor_log_std")
    plot_curves(tmp_path / "a.png", runs, columns=columns, agents={"old": "sac", "new": "sac"})
    assert "e.g. TD3 has no" in _note(capsys.readouterr().out)  # td3's agent not known: as before
    agents = {"old": "sac", "new": "sac", "td3": "td3"}
    plot_curves(tmp_path / "b.png", runs, columns=columns, agents=agents)
    note = _note(capsys.readouterr().out)
    assert note.startswith("[rambo_env] note: old, td3 have no actor_log_std value (td3: a "), note
    assert "sac: logged since 2026-11-30, so written by an older rambo_env" in note
    assert "e.g. TD3" not in note  # was: "(an agent without it, e.g. TD3 has no actor_log_std?)"
    only_sac = {"old": _rows(False), "new": _rows(True)}
    plot_curves(tmp_path / "d.png", only_sac, columns=columns, agents={"old": "sac", "new": "sac"})
    assert "TD3" not in _note(capsys.readouterr().out)
    why = empty_columns({"old": _rows(False)}, ["actor_log_std"], agents={"old": "tqc"})
    assert why == {
        "actor_log_std": "no run logged it (tqc: logged since 2026-11-30, so written by an "
        "older rambo_env)"
    }
    why = empty_columns({"td3": _rows(False)}, ["ent_coef"], agents={"td3": "td3"})
    assert why == {"ent_coef": "no run logged it (td3: a deterministic actor, no ent_coef)"}


def _run(run_dir: Path, algo: str, log_std: bool) -> Path:
    logger = configure(str(run_dir / TB_DIR), ["tensorboard"])
    for step in range(3):
        logger.record("eval/normalized_score", 1.0 + step)
        logger.record("rambo/q_avg", 1.0)
        if log_std and step:
            logger.record("policy/log_std_mean", -1.0)
        logger.dump(step=step)
    logger.close()
    (run_dir / "config.json").write_text(json.dumps({"config": {"algo": algo}}))
    return run_dir


def test_curves_script_reads_the_runs_agents(tmp_path, capsys):
    old, new = _run(tmp_path / "A", "sac", False), _run(tmp_path / "B", "sac", True)
    curves = load_script("curves")
    assert curves.main(["--out", str(tmp_path / "o/c"), f"A={old}", f"B={new}"]) == 0
    note = _note(capsys.readouterr().out)
    assert "A has no actor_log_std value (sac: logged since 2026-11-30, so written by an " in note
