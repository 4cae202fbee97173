"""Probe 102 row 6: SIGUSR1 (Slurm ``--signal=USR1@60``) killed make_dataset.py by its default
action (rc 138, no word, its ``.generate.lock`` left); it prints a status line, as cotrain's."""

from __future__ import annotations

from tests.scripts import REPO, run_python


def test_sigusr1_prints_a_status_line_and_make_dataset_goes_on(tmp_path, monkeypatch):
    code = (
        "import os, signal, sys, time\n"
        "from tests.scripts import load_script\n"
        "signal.signal(signal.SIGUSR1, signal.SIG_DFL)  # not the test runner's disposition\n"
        "script = load_script('make_dataset')\n"
        "def generate(args):\n"
        "    os.kill(os.getpid(), signal.SIGUSR1)\n"
        "    time.sleep(0.2)\n"
        "    print('WENT ON', flush=True)\n"
        "script.generate = generate\n"
        "rc = script.main(['--env', 'hopper', '--level', 'random', '--n-transitions', '300',\n"
        "                  '--workers', '2', '--dataset-id', 'p102b/hopper/usr1-v0'])\n"
        "print('HANDLER', signal.getsignal(signal.SIGUSR1) is signal.SIG_DFL)\n"
        "sys.exit(rc)\n"
    )
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    done = run_python(code, cwd=REPO, timeout=300)
    assert done.returncode == 0, done  # was -10 (killed by SIGUSR1)
    assert "[make_dataset] status: making p102b/hopper/usr1-v0 (300 transitions" in done.stderr
    assert "WENT ON" in done.stdout and "HANDLER True" in done.stdout, done
