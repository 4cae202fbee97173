"""Probe 107 row 19: the package's version (0.1.0 since the first commit) told no two codes
apart, so a resume under other code recorded nothing and said nothing; the git commit of the
source checkout is now recorded with the versions."""

from __future__ import annotations

from types import SimpleNamespace

from agents import cotrain, cotrain_setup

A, B = "a" * 40, "b" * 40


def _git(root, head, refs=None, packed=None):
    git = root / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text(head + "\n")
    for name, sha in (refs or {}).items():
        (git / name).write_text(sha + "\n")
    if packed is not None:
        (git / "packed-refs").write_text(packed)
    return git


def test_source_commit_reads_head_and_its_ref_without_git(tmp_path):
    # probe 107 row 19: was no record of the code (only rambo_env 0.1.0)
    _git(tmp_path / "clone", "ref: refs/heads/main", {"refs/heads/main": A})
    assert cotrain_setup.source_commit(tmp_path / "clone") == A
    _git(tmp_path / "packed", "ref: refs/heads/main", packed=f"# pack-refs\n{B} refs/heads/main\n")
    assert cotrain_setup.source_commit(tmp_path / "packed") == B
    _git(tmp_path / "detached", A)
    assert cotrain_setup.source_commit(tmp_path / "detached") == A
    # a worktree: .git is a file naming its folder, whose refs are in the common folder
    common = _git(tmp_path / "main", "ref: refs/heads/main", {"refs/heads/wt": B})
    (common / "worktrees" / "wt").mkdir(parents=True)
    (common / "worktrees" / "wt" / "HEAD").write_text("ref: refs/heads/wt\n")
    (common / "worktrees" / "wt" / "commondir").write_text("../..\n")
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text(f"gitdir: {common / 'worktrees' / 'wt'}\n")
    assert cotrain_setup.source_commit(tmp_path / "wt") == B
    # not a checkout (an installed package's site-packages), or a branch with no commit yet
    (tmp_path / "site-packages").mkdir()
    assert cotrain_setup.source_commit(tmp_path / "site-packages") is None
    _git(tmp_path / "empty", "ref: refs/heads/main")
    assert cotrain_setup.source_commit(tmp_path / "empty") is None


def test_a_resume_under_another_commit_is_recorded_and_said(monkeypatch, capsys):
    monkeypatch.setattr(cotrain_setup, "source_commit", lambda root=None: B)
    now = cotrain_setup.library_versions()
    assert now["rambo_env_commit"] == B
    last = {**now, "rambo_env_commit": A}
    session = SimpleNamespace(
        cfg=SimpleNamespace(compiles=False), session_settings=[], session_versions=[last]
    )
    cotrain._say_versions_changed(session)
    assert f"rambo_env_commit {A} -> {B}" in capsys.readouterr().out
    assert cotrain._saved_versions({"session_versions": [last, now]}) == [last, now]
    monkeypatch.setattr(cotrain_setup, "source_commit", lambda root=None: None)
    assert "rambo_env_commit" not in cotrain_setup.library_versions()  # an installed package


def test_a_version_the_last_session_did_not_record_is_not_said(monkeypatch, capsys):
    # review of probe 107's fix: a run whose last session recorded no rambo_env_commit (written
    # between probes 102 and 107) said "rambo_env_commit unrecorded -> <sha>" at its next resume
    monkeypatch.setattr(cotrain_setup, "source_commit", lambda root=None: B)
    now = cotrain_setup.library_versions()
    last = {k: v for k, v in now.items() if k != "rambo_env_commit"}
    session = SimpleNamespace(
        cfg=SimpleNamespace(compiles=False), session_settings=[], session_versions=[last]
    )
    cotrain._say_versions_changed(session)
    assert "note" not in capsys.readouterr().out
