"""Probe 150: nothing said which operating systems rambo-env runs on, and on native Windows
``scripts/cotrain.py --help`` died with ``ModuleNotFoundError: No module named 'resource'`` (the
atomic writer's ``os.fchmod`` and ``pid_alive``'s ``os.kill(pid, 0)``, a Ctrl-C there, waited
further on). ``import rambo_env`` / ``import agents`` on Windows now raise one ImportError that
names the platform and WSL2; a script says it as its one ``error:`` line."""

from __future__ import annotations

import pytest

from tests.scripts import REPO, run_python


def test_windows_is_named_and_wsl2_pointed_to():
    from rambo_env import _platform

    with pytest.raises(ImportError, match=r"not on native Windows \(sys\.platform is 'win32'") as e:
        _platform.check("win32")
    assert "WSL2" in str(e.value)
    for name in ("linux", "darwin"):
        _platform.check(name)  # the supported ones: nothing


@pytest.mark.parametrize("package", ["rambo_env", "agents"])
def test_import_on_windows_is_one_clear_import_error(tmp_path, package):
    done = run_python(f"import sys\nsys.platform = 'win32'\nimport {package}\n", tmp_path)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("rambo_env._platform.UnsupportedPlatformError: rambo-env runs on Linux")
    assert "WSL2" in last
    assert done.stderr.count("Traceback") == 1  # no chained exception, no other error
    assert "During handling" not in done.stderr and "ModuleNotFoundError" not in done.stderr


def test_a_script_on_windows_says_one_error_line(tmp_path):
    script = REPO / "scripts" / "cotrain.py"
    code = (
        "import runpy, sys\n"
        "sys.platform = 'win32'\n"
        f"sys.argv = [{str(script)!r}, '--help']\n"
        f"runpy.run_path({str(script)!r}, run_name='__main__')\n"
    )
    done = run_python(code, tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: rambo-env runs on Linux and macOS, not on native Windows")
    assert "Traceback" not in done.stderr and done.stdout == ""
