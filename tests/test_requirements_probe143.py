"""Probe 143 row (finding 1): ``source_changes``' ``rambo_env_diff`` still changed with the
user's git config: ``core.abbrev`` (the ``index`` lines), ``diff.suppressBlankEmpty`` (blank
context lines), ``diff.orderFile`` (the files' order), ``diff.submodule``."""

from __future__ import annotations

from rambo_env import requirements
from tests.test_requirements_probe140 import _with_config, clone  # noqa: F401

CONFIGS = {
    "none": "",
    "abbrev12": "[core]\n\tabbrev = 12\n",
    "abbrev40": "[core]\n\tabbrev = 40\n",
    "blank": "[diff]\n\tsuppressBlankEmpty = true\n",
    "order": "[diff]\n\torderFile = {order}\n",
    "relative": "[diff]\n\trelative = true\n",
    "submodule": "[diff]\n\tsubmodule = log\n",
}


def test_abbrev_blank_lines_and_file_order_leave_the_hash_alone(clone, tmp_path):  # noqa: F811
    order = tmp_path / "order.txt"
    order.write_text("é.py\nrambo_env/dynamics/ensemble.py\n")
    # a blank context line in a hunk (suppressBlankEmpty drops its space) and two files
    (clone / "rambo_env/dynamics/ensemble.py").write_text("x = 1\n\ny = 1\n")
    requirements._source_changes.cache_clear()
    hashes = {}
    for name, text in CONFIGS.items():
        record = _with_config(tmp_path, text.replace("{order}", str(order)))
        assert record["rambo_env_dirty"] == "true", name
        hashes[name] = record["rambo_env_diff"]
    (clone / "é.py").write_text("y = 2\n")
    (clone / "rambo_env/dynamics/ensemble.py").write_text("x = 1\n\ny = 2\nz = 3\n")
    for name, text in CONFIGS.items():
        record = _with_config(tmp_path, text.replace("{order}", str(order)))
        hashes[name + "-two-files"] = record["rambo_env_diff"]
    one = {h for n, h in hashes.items() if not n.endswith("-two-files")}
    two = {h for n, h in hashes.items() if n.endswith("-two-files")}
    assert len(one) == 1, hashes
    assert len(two) == 1, hashes
    assert one != two
