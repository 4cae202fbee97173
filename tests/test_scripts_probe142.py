"""Probe 142: bench.py / mle_quality.py ``--threads none`` (rows 35, 45)."""

from __future__ import annotations

import pytest

from tests.scripts import load_script


def _threads_taken(script: str, argv: list[str], monkeypatch, capsys) -> object:
    """What ``script``'s ``--threads`` parsed to (its run is stopped at the thread count)."""
    module = load_script(script)
    taken = []

    def stop(threads, field="torch_threads"):
        taken.append(threads)
        raise ValueError("stopped by the test")

    monkeypatch.setattr(module, "resolve_torch_threads", stop)
    with pytest.raises((SystemExit, ValueError)):  # bench: p.error; mle_quality: raised
        module.main(argv)
    capsys.readouterr()
    (threads,) = taken
    return threads


@pytest.mark.parametrize(
    ("script", "argv"), [("bench", []), ("mle_quality", ["--variants", "256:3e-4"])]
)
@pytest.mark.parametrize("auto", ["none", "auto", "None"])
def test_threads_none_is_the_automatic_choice_the_range_error_advises(
    monkeypatch, capsys, script, argv, auto
):
    # was: "argument --threads: 'none' is not a whole number (such as 1000, 1e3 or 2.5e5)",
    # after "torch_threads: 100 is not in [1, 8] (…); give fewer, or none for auto"
    assert _threads_taken(script, [*argv, "--threads", auto], monkeypatch, capsys) is None
    assert _threads_taken(script, [*argv, "--threads", "2"], monkeypatch, capsys) == 2


@pytest.mark.parametrize("script", ["bench", "mle_quality", "cotrain"])
def test_a_thread_count_that_is_no_number_gets_thread_examples(capsys, script):
    flag = "--torch-threads" if script == "cotrain" else "--threads"
    with pytest.raises(SystemExit) as exit_info:
        load_script(script).main([flag, "abc"])
    assert exit_info.value.code == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"argument {flag}: 'abc' is not a whole number; give one (such as 1 or 4)" in line
    assert "auto (none)" in line and "1000" not in line


@pytest.mark.parametrize("name", ["TORCHINDUCTOR_COMPILE_THREADS", "TORCHDYNAMO_REPRO_LEVEL"])
def test_a_torch_int_variable_that_is_no_int_is_named_before_the_run(
    monkeypatch, capsys, tmp_path, name
):
    """Probe 142 row 16: ``TORCHINDUCTOR_COMPILE_THREADS=abc`` was ``error: invalid literal for
    int() with base 10: 'abc'`` at the first optimizer, the variable not named."""
    from agents.cotrain_setup import CotrainConfig, build_session

    monkeypatch.setenv(name, "abc")
    missing = str(tmp_path / "missing.npz")  # the old code went on to the dataset: refused fast
    with pytest.raises(ValueError, match=rf"^{name}='abc': torch reads it as a whole number"):
        build_session(CotrainConfig(dataset=missing, compile=False))
    bench = load_script("bench")

    def benchmark(*args, **kwargs):
        raise AssertionError("the benchmark started")

    monkeypatch.setattr(bench, "resolve_device", benchmark)
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--no-compile"])
    assert exit_info.value.code == 2
    assert f"error: {name}='abc': torch reads it" in capsys.readouterr().err
    monkeypatch.setenv(name, "2")
    from rambo_env.run_io import check_torch_int_variables

    check_torch_int_variables()  # an int: taken


@pytest.mark.parametrize("word", ["auto", "none", "true"])
def test_a_value_given_to_the_compile_switch_says_leave_it_out_for_auto(capsys, word):
    """Probe 142 row 6: ``--compile auto`` was argparse's bare "unrecognized arguments: auto",
    though the help calls the unset value auto."""
    with pytest.raises(SystemExit) as exit_info:
        load_script("cotrain").main(["--compile", word, "--seed", "1"])
    assert exit_info.value.code == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"error: --compile takes no value (got '{word}')" in line
    assert line.endswith("leave --compile / --no-compile out for auto")
