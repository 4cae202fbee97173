"""Probe 116 S3: a run an older rambo_env had entered in the ledger under its dataset's old name
(``hopper-random`` for ``rambo/hopper/mine-v0``, probe 113) was entered again under today's
name, and the stale entry for the same run folder was kept beside the real runs of the old name
(its CSV, its curve in the old dataset's plot), without a word. It is now replaced: dropped from
the index, its CSV removed and the old dataset's plot redrawn (or removed when no run of it is
left), in the ledger's one all-or-nothing write, and said in one line."""

from __future__ import annotations

import json

import pytest

from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401 (the fixture)


def _run(tmp_path, name: str, monkeypatch, seed: int = 0, fingerprint: str = "a" * 16):
    run_dir = tmp_path / name
    _fake_run(run_dir, 3, monkeypatch, seed=seed)
    path = run_dir / "config.json"
    saved = json.loads(path.read_text())
    saved["resolved"]["dataset"] |= {"name": "tiny-old", "fingerprint": fingerprint}
    path.write_text(json.dumps(saved))
    return run_dir


def _renamed_today(monkeypatch, ledger, run_dir) -> None:
    """This rambo_env names ``run_dir``'s data ``tiny-new`` (the data being the run's)."""
    config = str(run_dir / "config.json")

    def renamed(config_path, dataset_arg, env_id, record):
        if str(config_path) != config:
            return None
        return {**record, "name": "tiny-new", "fingerprint": "b" * 16}

    monkeypatch.setattr(ledger, "_renamed_dataset", renamed)


def _entered_then_renamed(tmp_path, monkeypatch, ledger):
    """A run entered under ``tiny-old``, whose data this rambo_env now names ``tiny-new``."""
    run = _run(tmp_path, "run", monkeypatch)
    old = ledger.update_ledger(run, tmp_path / "ledger")
    _renamed_today(monkeypatch, ledger, run)
    return tmp_path / "ledger", run, old


def test_the_stale_entry_of_the_same_run_under_an_old_name_is_replaced(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811
):
    ledger = tmp_path / "ledger"
    run, other = _run(tmp_path, "run", monkeypatch), _run(tmp_path, "other", monkeypatch, seed=1)
    old = ledger_module.update_ledger(run, ledger)
    real = ledger_module.update_ledger(other, ledger)  # a real run of the old name
    old_png = (ledger / "tiny-old.png").read_bytes()
    _renamed_today(monkeypatch, ledger_module, run)
    drawn = []
    plot = ledger_module._plot
    monkeypatch.setattr(
        ledger_module,
        "_plot",
        lambda dataset, ledger_dir, index, rows, path, **kw: (
            drawn.append((dataset, sorted(index)))
            or plot(dataset, ledger_dir, index, rows, path, **kw)
        ),
    )
    capsys.readouterr()
    new = ledger_module.update_ledger(run, ledger)
    assert new.slug.startswith("tiny-new_") and new.slug != old.slug
    index = ledger_module.read_index(ledger)
    assert sorted(index) == sorted([new.slug, real.slug])  # was: old.slug kept too
    assert not (ledger / f"{old.slug}.csv").exists()
    assert (ledger / f"{real.slug}.csv").exists() and (ledger / f"{new.slug}.csv").exists()
    assert ("tiny-old", sorted([new.slug, real.slug])) in drawn  # redrawn without the stale
    assert (ledger / "tiny-old.png").read_bytes() != old_png
    out = capsys.readouterr().out
    said = [line for line in out.splitlines() if old.slug in line]
    assert said == [
        f"[ledger] {old.slug} is replaced by {new.slug}: the same run ({old.run_dir}), entered "
        f"by an older rambo_env under its dataset's old name 'tiny-old'; {old.slug}.csv "
        "removed, tiny-old.png redrawn"
    ]
    ledger_module.update_ledger(run, ledger)  # the same run under the same key: as before
    assert sorted(ledger_module.read_index(ledger)) == sorted([new.slug, real.slug])
    assert "is replaced by" not in capsys.readouterr().out


def test_the_old_plot_goes_when_no_run_of_the_old_name_is_left(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811
):
    ledger, run, old = _entered_then_renamed(tmp_path, monkeypatch, ledger_module)
    new = ledger_module.update_ledger(run, ledger)
    assert list(ledger_module.read_index(ledger)) == [new.slug]
    assert sorted(p.name for p in ledger.iterdir()) == sorted(
        ["index.json", f"{new.slug}.csv", "tiny-new.png"]
    ), old.slug


def test_a_failed_index_write_keeps_the_stale_entry_and_its_files(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811
):
    ledger, run, old = _entered_then_renamed(tmp_path, monkeypatch, ledger_module)
    before = {p.name: p.read_bytes() for p in ledger.iterdir()}

    def failing(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ledger_module, "write_json", failing)
    with pytest.raises(OSError):
        ledger_module.update_ledger(run, ledger)
    assert {p.name: p.read_bytes() for p in ledger.iterdir()} == before, old.slug


def test_another_run_in_the_same_folder_is_not_taken_for_it(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811
):
    """An entry of the folder's earlier run on other data (the folder reused) stays."""
    ledger = tmp_path / "ledger"
    run = _run(tmp_path, "run", monkeypatch, fingerprint="c" * 16)
    earlier = ledger_module.update_ledger(run, ledger)
    path = run / "config.json"
    saved = json.loads(path.read_text())
    saved["resolved"]["dataset"] |= {"name": "tiny-new", "fingerprint": "d" * 16}
    path.write_text(json.dumps(saved))
    now = ledger_module.update_ledger(run, ledger)
    assert sorted(ledger_module.read_index(ledger)) == sorted([earlier.slug, now.slug])


def test_the_same_run_under_an_older_form_of_its_key_is_replaced(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811
):
    """The class: any entry of the same run under another key (here an older key form)."""
    ledger = tmp_path / "ledger"
    run = _run(tmp_path, "run", monkeypatch)
    entry = ledger_module.update_ledger(run, ledger)
    path = ledger / "index.json"
    saved = json.loads(path.read_text())
    older = "tiny-old_sac_k2-lam0.0003_s0"
    saved = {older: {**saved[entry.slug], "slug": older}}
    path.write_text(json.dumps(saved))
    (ledger / f"{entry.slug}.csv").rename(ledger / f"{older}.csv")
    capsys.readouterr()
    ledger_module.update_ledger(run, ledger)
    assert list(ledger_module.read_index(ledger)) == [entry.slug]
    assert not (ledger / f"{older}.csv").exists()
    assert (
        f"[ledger] {older} is replaced by {entry.slug}: the same run ({entry.run_dir}), entered "
        f"by an older rambo_env under another key; {older}.csv removed, tiny-old.png redrawn"
    ) in capsys.readouterr().out
