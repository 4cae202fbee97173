"""Probe 90 (issue 14): a resumed session's own settings (``--no-compile``, ``--q-limit``, …)
against what the run's config.json records."""

from __future__ import annotations

from agents.cotrain import run_cotrain
from rambo_env import run_io
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401
from tests.scripts import load_script


def test_a_resume_names_the_settings_config_json_does_not_record(tiny_hopper, tmp_path, capsys):  # noqa: F811
    # probe 90: after --resume RUN --no-compile config.json still said compile true, and the
    # resume said nothing of it (nor of --q-limit / --device / --progress)
    run = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2, compile=False), run)
    saved = run_io.read_json(run / run_io.CONFIG_NAME)
    saved["config"]["compile"] = True  # as a first session run compiled (compiling is slow here)
    run_io.write_json(run / run_io.CONFIG_NAME, saved)
    capsys.readouterr()
    cli = load_script("cotrain")
    flags = ["--no-compile", "--q-limit", "1e9", "--device", "cpu", "--n-iterations", "3"]
    assert cli.main(["--resume", str(run), *flags]) == 0
    out = capsys.readouterr().out
    (note,) = [line for line in out.splitlines() if "for this session only" in line]
    assert note.startswith(
        "[cotrain] note: this session runs with device='cpu', compile=False, q_limit=1000000000.0"
        ", for this session only: "
    ), note
    assert f"{run / run_io.CONFIG_NAME} keeps the run's device='auto', compile=True, q_limit=None" in note  # fmt: skip
    config = run_io.read_json(run / run_io.CONFIG_NAME)["config"]
    assert (config["compile"], config["q_limit"], config["device"]) == (True, None, "auto")
    assert config["n_iterations"] == 3  # the extension is recorded, as before
    # only what differs from config.json is named
    capsys.readouterr()
    assert cli.main(["--resume", str(run), "--n-iterations", "4", "--no-compile"]) == 0
    out = capsys.readouterr().out
    (note,) = [line for line in out.splitlines() if "for this session only" in line]
    assert "runs with compile=False, for this session only" in note, note
