# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""§2 in-process: a swap stopped after any rename is undone; a failing rename undoes
the swap; a committed one is finished; only the journal's own moves are touched."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.layout import Layout
from tests.conftest import Fsyncs
from tests.conftest import snapshot
from tools.engine import transaction
from tools.errors import BuildError


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs (no except, no finally that matters)."""


def _tree(root: Path) -> Layout:
    for rel, text in {
        "go/a/a.pb.go": "old a",
        "go/a/gone.pb.go": "old gone",
        "go/a/hand.go": "hand-written",
        "docs/index.md": "old index",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return Layout(root)


def _stage(layout: Layout) -> transaction.Transaction:
    txn = transaction.Transaction(layout, "gen")
    txn.put_bytes("go/a/a.pb.go", b"new a")
    txn.put_bytes("go/b/v1/b.pb.go", b"new b")  # a new folder too
    txn.put_bytes("docs/index.md", b"new index")
    txn.delete("go/a/gone.pb.go")
    return txn


# The tree of _tree() once _stage()'s transaction is committed.
NEW = {
    "go/a/a.pb.go": b"new a",
    "go/a/hand.go": b"hand-written",
    "go/b/v1/b.pb.go": b"new b",
    "docs/index.md": b"new index",
}


def _killed(*_: Any) -> int:
    raise Killed


def _renames_in_commit(tmp_path: Path) -> int:
    layout = _tree(tmp_path / "count")
    calls = 0
    real = os.replace

    def counting(*args: Any) -> None:
        nonlocal calls
        calls += 1
        real(*args)

    txn = _stage(layout)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(os, "replace", counting)
        txn.commit()
    return calls


def _stop_at(monkeypatch: pytest.MonkeyPatch, n: int, exc: Callable[[], BaseException]) -> None:
    """Make the n-th rename (0-based) raise `exc()` instead of happening."""
    real = os.replace
    count = [0]

    def replace(src: Any, dst: Any) -> None:
        if count[0] == n:
            count[0] += 1
            raise exc()
        count[0] += 1
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


def test_a_commit_puts_every_file_in_place(tmp_path: Path) -> None:
    layout = _tree(tmp_path)
    assert _stage(layout).commit() == 4
    assert snapshot(tmp_path) == NEW
    assert not transaction.pending(layout)
    assert list(transaction.staging_root(layout).iterdir()) == []


def test_a_kill_after_any_rename_is_undone_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renames = _renames_in_commit(tmp_path)
    assert renames >= 6  # one per backup, one per new file
    for n in range(renames):
        root = tmp_path / f"kill{n}"
        layout = _tree(root)
        old = snapshot(root)
        txn = _stage(layout)
        with monkeypatch.context() as m:
            _stop_at(m, n, Killed)
            # A killed process does not get to undo anything itself.
            m.setattr(transaction, "_undo", _killed)
            with pytest.raises(Killed):
                transaction._apply(layout, "gen", txn._staged(), txn._plan())
        message = transaction.recover(layout)
        if n == 0:  # the journal itself was being written: nothing moved yet
            assert message is None
        else:
            assert message is not None and message.startswith("undid the interrupted gen"), n
        assert snapshot(root) == old, n
        assert not (root / "go/b").exists(), "a folder made for the new files stays"
        assert not transaction.pending(layout)


def test_a_failing_rename_undoes_the_swap_and_says_which_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = _tree(tmp_path)
    old = snapshot(tmp_path)
    _stop_at(monkeypatch, 3, lambda: PermissionError(13, "Permission denied"))
    with pytest.raises(BuildError) as info:
        _stage(layout).commit()
    assert info.value.message.count("\n") == 0
    assert ": cannot replace it: Permission denied; nothing was changed" in info.value.message
    assert snapshot(tmp_path) == old
    assert not transaction.pending(layout)


def test_a_committed_swap_is_finished_not_undone(tmp_path: Path) -> None:
    layout = _tree(tmp_path)
    txn = _stage(layout)
    folder = txn._staged()
    moves = txn._plan()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(transaction, "_finish", _killed)
        with pytest.raises(Killed):
            transaction._apply(layout, "docs", folder, moves)
    assert transaction.recover(layout) == (
        "finished the interrupted docs: its 4 file change(s) were in place"
    )
    assert snapshot(tmp_path) == NEW
    assert not folder.exists()


def test_a_journal_that_is_not_ours_is_one_clear_line(tmp_path: Path) -> None:
    layout = _tree(tmp_path)
    transaction.journal_path(layout).parent.mkdir(parents=True)
    transaction.journal_path(layout).write_bytes(b"\xff{not json")
    with pytest.raises(BuildError) as info:
        transaction.recover(layout)
    assert info.value.exit_code == 2
    assert info.value.message.startswith(".cache/transaction.json: unreadable transaction journal")
    assert "\n" not in info.value.message


def test_a_staged_file_under_a_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    layout = _tree(tmp_path / "repo")
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "repo/go/out").symlink_to(outside)
    txn = transaction.Transaction(layout, "gen")
    txn.put_bytes("go/a/a.pb.go", b"new a")
    txn.put_bytes("go/out/x.pb.go", b"escaped")
    with pytest.raises(BuildError) as info:
        txn.commit()
    assert info.value.message == (
        f"{tmp_path}/repo/go/out: a symlink to {outside}, which is outside "
        f"{tmp_path}/repo; refusing to write through it"
    )
    assert list(outside.iterdir()) == []
    assert (tmp_path / "repo/go/a/a.pb.go").read_text() == "old a"


def test_leftover_staging_of_dead_runs_goes_live_ones_stay(tmp_path: Path) -> None:
    layout = _tree(tmp_path)
    mine = transaction.scratch(layout, "gen")
    dead = transaction.staging_root(layout) / "gen-999999999-deadbeef"
    dead.mkdir()
    transaction.recover(layout)
    assert mine.exists()
    assert not dead.exists()


def test_a_refused_commit_leaves_no_staging_behind(tmp_path: Path) -> None:
    layout = _tree(tmp_path / "repo")
    (tmp_path / "repo/go/out").symlink_to(tmp_path)
    txn = transaction.Transaction(layout, "gen")
    txn.put_bytes("go/out/x.pb.go", b"escaped")
    with pytest.raises(BuildError):
        txn.commit()
    assert list(transaction.staging_root(layout).iterdir()) == []


def _journal_state(layout: Layout) -> str:
    try:
        return str(json.loads(transaction.journal_path(layout).read_bytes())["state"])
    except FileNotFoundError:
        return "none"


def _flushes(root: Path, layout: Layout, fsyncs: Fsyncs) -> list[tuple[str, str]]:
    """Record each folder flush as (folder, the journal's state at that moment)."""
    out: list[tuple[str, str]] = []

    def named() -> None:
        for p in [root, *root.rglob("*")]:
            st = p.lstat()
            if p.is_dir() and (st.st_dev, st.st_ino) == fsyncs.folders[-1]:
                out.append((p.relative_to(root).as_posix(), _journal_state(layout)))
                return
        raise AssertionError("a folder outside the checkout was flushed")

    fsyncs.on_folder = named
    return out


def _staging_name(flushes: list[tuple[str, str]]) -> str:
    """The staging folder's name, from the flushes of its backups."""
    names = {f.split("/")[2] for f, _ in flushes if f.startswith(".cache/staging/")}
    assert len(names) == 1, names
    return names.pop()


def test_a_commit_flushes_each_folder_it_changed_once_before_it_says_committed(
    tmp_path: Path, fsyncs: Fsyncs
) -> None:
    layout = _tree(tmp_path)
    txn = _stage(layout)
    flushes = _flushes(tmp_path, layout, fsyncs)
    txn.commit()
    staging = f".cache/staging/{_staging_name(flushes)}"
    assert sorted(f for f, state in flushes if state == "applying" and f != ".cache") == sorted(
        [
            "docs",  # index.md replaced
            "go",  # b/ made
            "go/a",  # a.pb.go replaced, gone.pb.go deleted
            "go/b",  # v1/ made
            "go/b/v1",  # b.pb.go added
            f"{staging}/old/docs",  # backups
            f"{staging}/old/go/a",
        ]
    )
    # The journal is flushed (file and folder) before any move, after it says
    # committed, and after it is gone.
    assert flushes[0] == (".cache", "applying")
    assert [s for f, s in flushes if f == ".cache"] == ["applying", "committed", "none"]
    assert flushes[-2:] == [(".cache", "committed"), (".cache", "none")]
    assert fsyncs.count(tmp_path) == 0  # nothing changed at the top
    assert snapshot(tmp_path) == NEW


def test_an_undo_flushes_the_restored_folders_before_it_drops_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fsyncs: Fsyncs
) -> None:
    renames = _renames_in_commit(tmp_path)
    root = tmp_path / "killed"
    layout = _tree(root)
    old = snapshot(root)
    txn = _stage(layout)
    with monkeypatch.context() as m:
        _stop_at(m, renames - 1, Killed)  # every move but the last was done
        m.setattr(transaction, "_undo", _killed)
        with pytest.raises(Killed):
            transaction._apply(layout, "gen", txn._staged(), txn._plan())
    fsyncs.folders.clear()
    flushes = _flushes(root, layout, fsyncs)
    assert (transaction.recover(layout) or "").startswith("undid the interrupted gen")
    assert snapshot(root) == old
    # go/b and go/b/v1, made for the new file, are gone again.
    assert sorted(f for f, state in flushes if state == "applying") == ["docs", "go", "go/a"]
    assert flushes[-1] == (".cache", "none")
    assert len(flushes) == 4
