"""Probe 111: the default Minari root under HOME (MINARI_DATASETS_PATH unset) names HOME, not
the unset variable as if it were set."""

from __future__ import annotations

import pytest

from rambo_env.data.minari_io import check_minari_root


def test_a_default_minari_root_under_a_missing_home_names_home(tmp_path, monkeypatch):
    (tmp_path / "home").write_text("a file: nothing can be made below it")
    monkeypatch.delenv("MINARI_DATASETS_PATH", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home" / "u3"))
    with pytest.raises(ValueError) as caught:
        check_minari_root()
    text = str(caught.value)
    assert text.startswith("HOME: Minari root (~/.minari/datasets, as MINARI_DATASETS_PATH is")
    assert "which does not exist" in text and "set MINARI_DATASETS_PATH" in text
