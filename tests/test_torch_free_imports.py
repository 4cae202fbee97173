"""The file, dataset and results modules import without torch, so the scripts that only read
or draw results (``curves.py``, ``ledger.py``) and ``make_dataset.py --help`` start in about a
second instead of the 3-4 s of ``import torch`` on a 2-core machine (issue 12: a child process of
the test suite that imported ``rambo_env.run_io`` for a file lock paid it too). Modules that
compute with torch import it where they use it."""

from __future__ import annotations

from tests.scripts import run_python

#: Modules with no torch at import: what they use torch for (a checkpoint, an RNG state, a
#: policy) imports it then.
TORCH_FREE_MODULES = (
    "rambo_env.run_io",
    "rambo_env.file_locks",
    "rambo_env.interrupts",
    "rambo_env.rng_state",
    "rambo_env.torch_files",
    "rambo_env.data",
    "rambo_env.data.generate",
    "rambo_env.evaluation",
    "rambo_env.normalization",
    "rambo_env.curves",
    "rambo_env.ledger",
)

#: Scripts whose ``--help`` (and argument errors) need no torch.
TORCH_FREE_HELP = ("curves", "ledger", "make_dataset")


def _torch_after(code: str, tmp_path) -> tuple[str, str]:
    """``code`` run in a child process (it must succeed), then whether it imported torch:
    ``("True" / "False", stdout)`` (stdout is left to the code: a --help)."""
    done = run_python(
        code + "import sys\nprint('torch' in sys.modules, file=sys.stderr)\n", tmp_path
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()[-1], done.stdout


def test_the_file_and_results_modules_import_without_torch(tmp_path):
    code = (
        "import importlib, sys\n"
        f"for name in {TORCH_FREE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "    if 'torch' in sys.modules:\n"
        "        sys.exit('torch imported by ' + name)\n"
    )
    assert _torch_after(code, tmp_path)[0] == "False"


def test_scripts_answer_help_without_torch(tmp_path):
    code = (
        "import runpy, sys\n"
        "from tests.scripts import REPO\n"
        f"for name in {TORCH_FREE_HELP!r}:\n"
        "    sys.argv = [name + '.py', '--help']\n"
        "    try:\n"
        "        runpy.run_path(str(REPO / 'scripts' / (name + '.py')), run_name='__main__')\n"
        "    except SystemExit as stop:\n"
        "        assert stop.code in (0, None), (name, stop.code)\n"
        "    if 'torch' in sys.modules:\n"
        "        sys.exit('torch imported by ' + name + ' --help')\n"
    )
    imported, stdout = _torch_after(code, tmp_path)
    assert imported == "False"
    for name in TORCH_FREE_HELP:
        assert f"usage: {name}.py" in stdout


def test_a_random_action_collection_worker_imports_no_torch(tmp_path):
    # session 60: each spawned worker of a random level imported torch (≈ 3 s on 2 cores) only
    # to set its thread count; a worker that loads a behaviour policy still sets one thread
    code = (
        "import multiprocessing\n"
        "from rambo_env.data import generate\n"
        "generate._init_worker(multiprocessing.Value('q', 0))\n"
        "episodes = generate._worker_collect('Hopper-v5', 50, None, 'cpu', 0, 0, 1)\n"
        "assert sum(len(e.actions) for e in episodes) >= 50, episodes\n"
    )
    assert _torch_after(code, tmp_path)[0] == "False"
