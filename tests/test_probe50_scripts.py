"""Probe 50's script findings: the eval_last refusal's final-score note, count flags written as
1e3, a sweep.json that is not one."""

import json

import pytest

from agents.sweep import load_sweep
from tests.scripts import load_script


def test_the_eval_last_refusal_names_what_the_final_score_averages(capsys):
    """Probe 50 row 18: ``sweep.py --iterations 2 --eval-last 5`` ended "the final score is the
    mean of the last 10 evaluations", as if the 5 asked for were ignored; it now says the final
    score does not depend on --eval-last and how many evaluations it averages there."""
    sweep = load_script("sweep")
    parser = sweep.build_parser()
    args = parser.parse_args(["--iterations", "2", "--eval-last", "5"])
    with pytest.raises(SystemExit):
        sweep.resolve_args(args, parser)
    err = capsys.readouterr().err
    assert (
        "eval_last: 5 > n_iterations=2; --eval-last N evaluates each of the last N iterations and "
        "the run has only 2 (use a value <= n_iterations, or leave --eval-last out; the final "
        "score does not depend on --eval-last: it is the mean of the last 10 evaluations "
        "(App. B.6), here of at most 2 (one per iteration))"
    ) in err


@pytest.mark.parametrize(("text", "value"), [("1e3", 1000), ("2.5e5", 250_000), ("64", 64)])
def test_make_dataset_takes_counts_written_as_floats(text, value):
    """Probe 50 row 29: ``--n-transitions 1e3`` was argparse's "invalid int value: '1e3'"."""
    args = load_script("make_dataset").parse_args(
        ["--env", "hopper", "--level", "random", "--n-transitions", text]
    )
    assert args.n_transitions == value and type(args.n_transitions) is int


@pytest.mark.parametrize("text", ["1.5e0", "1e3.5", "inf", "x"])
def test_make_dataset_refuses_counts_that_are_not_whole(text, capsys):
    with pytest.raises(SystemExit) as exit_info:
        load_script("make_dataset").parse_args(
            ["--env", "hopper", "--level", "random", "--n-transitions", text]
        )
    assert exit_info.value.code == 2
    assert (
        f"argument --n-transitions: {text!r} is not a whole number (such as 1000, 1e3 or 2.5e5)"
    ) in capsys.readouterr().err


def test_cotrain_and_sweep_count_flags_take_1e3():
    """The shared parser (``run_io.whole_number``) serves cotrain.py's and sweep.py's counts."""
    cotrain = load_script("cotrain")
    assert cotrain.build_parser().parse_args(["--n-iterations", "1e3"]).n_iterations == 1000
    sweep = load_script("sweep")
    assert sweep.build_parser().parse_args(["--iterations", "2e1"]).iterations == 20


@pytest.mark.parametrize(
    ("saved", "what"),
    [
        ({}, "no 'spec' or 'resources' key"),
        ({"resources": {}}, "no 'spec' key"),
        ([], "a list, not an object"),
    ],
)
def test_a_sweep_json_not_written_by_sweep_py_is_named_so(tmp_path, capsys, saved, what):
    """Probe 50 row 58: a ``{}`` sweep.json was "damaged sweep.json (KeyError: 'spec')"."""
    (tmp_path / "sweep.json").write_text(json.dumps(saved))
    said = (
        f"{tmp_path / 'sweep.json'} is not a sweep.json written by scripts/sweep.py ({what}); "
        "restore it or start a new sweep"
    )
    with pytest.raises(ValueError) as err:
        load_sweep(tmp_path)
    assert str(err.value) == said
    assert load_script("sweep").main(["--report-only", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {said}\n")
