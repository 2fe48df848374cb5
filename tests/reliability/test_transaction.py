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


# --- a hostile journal: validated whole, refused in one line, never acted on ---

FOLDER = "txn-999999999-deadbeef"


def victim_folder(tmp_path: Path) -> Path:
    """A folder outside the checkout that no journal may touch."""
    victim = tmp_path / "victim"
    (victim / "emptydir").mkdir(parents=True)
    (victim / "go").mkdir()
    (victim / "file.txt").write_bytes(b"precious\n")
    (victim / "go/x.pb.go").write_bytes(b"not ours\n")
    (victim / "a-2019-b").mkdir()
    (victim / "a-2019-b/keep").write_bytes(b"keep\n")
    return victim


def everything_in(folder: Path) -> dict[str, bytes | None]:
    """Every entry under `folder`: files by bytes, folders as None."""
    return {
        p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes())
        for p in sorted(folder.rglob("*"))
    }


def _journal(state: str = "applying", folder: str = FOLDER, **kw: Any) -> dict[str, Any]:
    return {"task": "gen", "folder": folder, "state": state, "dirs": [], "moves": [], **kw}


def _moves_out(root: Path, victim: Path) -> dict[str, Any]:
    return _journal(moves=[["../victim/file.txt", True, False]])


def _absolute(root: Path, victim: Path) -> dict[str, Any]:
    return _journal(moves=[[str(victim / "file.txt"), True, False]])


def _absolute_folder(root: Path, victim: Path) -> dict[str, Any]:
    return _journal("committed", folder=str(victim))


def _dotdot_folder(root: Path, victim: Path) -> dict[str, Any]:
    return _journal("committed", folder="../../../victim")


def _slash_folder(root: Path, victim: Path) -> dict[str, Any]:
    (root / ".cache/staging/a/b").mkdir(parents=True)
    return _journal("committed", folder="a/b")


def _dirs_out(root: Path, victim: Path) -> dict[str, Any]:
    return _journal(dirs=["../victim/emptydir"])


def _dirs_outside_the_trees(root: Path, victim: Path) -> dict[str, Any]:
    (root / "turboci/empty").mkdir(parents=True)
    return _journal(dirs=["turboci/empty"])


def _symlink_in_the_tree(root: Path, victim: Path) -> dict[str, Any]:
    (root / "go/link").symlink_to(victim)
    return _journal(moves=[["go/link/file.txt", True, False]])


def _symlink_in_the_staging(root: Path, victim: Path) -> dict[str, Any]:
    (root / ".cache/staging" / FOLDER / "old").symlink_to(victim)
    return _journal(moves=[["go/x.pb.go", False, True]])


def _staging_folder_is_a_symlink(root: Path, victim: Path) -> dict[str, Any]:
    (root / ".cache/staging" / FOLDER).rmdir()
    (root / ".cache/staging" / FOLDER).symlink_to(victim)
    return _journal("committed")


def _staged_symlink(root: Path, victim: Path) -> dict[str, Any]:
    (root / ".cache/staging" / FOLDER / "old/go").mkdir(parents=True)
    (root / ".cache/staging" / FOLDER / "old/go/x.pb.go").symlink_to(victim / "go/x.pb.go")
    return _journal(moves=[["go/x.pb.go", False, True]])


def _a_long_line(root: Path, victim: Path) -> dict[str, Any]:
    return _journal(moves=[["go/a\nb" + "x" * 100_000, True, False]])


def _a_source_file(root: Path, victim: Path) -> dict[str, Any]:
    return _journal(moves=[["turboci/a.proto", True, False]])


HOSTILE: dict[str, Callable[[Path, Path], dict[str, Any]]] = {
    "a move out with ..": _moves_out,
    "an absolute move": _absolute,
    "an absolute folder": _absolute_folder,
    "a folder with ..": _dotdot_folder,
    "a folder with a slash": _slash_folder,
    "a made folder out with ..": _dirs_out,
    "a made folder outside the generated trees": _dirs_outside_the_trees,
    "a symlink on the way in the tree": _symlink_in_the_tree,
    "a symlink on the way in the staging": _symlink_in_the_staging,
    "a staging folder that is a symlink": _staging_folder_is_a_symlink,
    "a move outside the generated trees": _a_source_file,
    "a staged file that is a symlink": _staged_symlink,
    "a path with a newline, 100,000 long": _a_long_line,
}


def refusal_start(root: Path, victim: Path, shape: str) -> str:
    """How the one line refusing the journal of `shape` begins: a symlink in
    .cache is named before the journal is read."""
    if shape == "a staging folder that is a symlink":
        return f"{root}/.cache/staging/{FOLDER}: a symlink to {victim}, which is outside "
    return ".cache/transaction.json: "


def hostile_checkout(root: Path, victim: Path, shape: str) -> bytes:
    """A checkout at `root` (with go/, turboci/) holding the journal of `shape`; its bytes."""
    (root / "go").mkdir(parents=True, exist_ok=True)
    (root / "turboci").mkdir(exist_ok=True)
    (root / "turboci/a.proto").write_bytes(b"// a source\n")
    (root / ".cache/staging" / FOLDER).mkdir(parents=True)
    data = json.dumps(HOSTILE[shape](root, victim)).encode()
    (root / ".cache/transaction.json").write_bytes(data)
    return data


@pytest.mark.parametrize("shape", sorted(HOSTILE))
def test_a_hostile_journal_is_refused_whole_and_left_in_place(tmp_path: Path, shape: str) -> None:
    victim = victim_folder(tmp_path)
    before = everything_in(victim)
    root = tmp_path / "repo"
    data = hostile_checkout(root, victim, shape)
    source = (root / "turboci/a.proto").read_bytes()
    with pytest.raises(BuildError) as info:
        transaction.recover(Layout(root))
    assert info.value.exit_code == 2
    message = info.value.message
    assert message.startswith(refusal_start(root, victim, shape)), message
    if message.startswith(".cache/transaction.json: "):
        assert "nothing was done" in message and "then delete it" in message
    assert "\n" not in message and len(message) < 600
    assert everything_in(victim) == before
    assert (root / ".cache/transaction.json").read_bytes() == data
    assert (root / "turboci/a.proto").read_bytes() == source


def test_a_journal_is_checked_whole_before_the_first_move(tmp_path: Path) -> None:
    # The first move is fine, the last one is not: not even the first happens.
    layout = _tree(tmp_path / "repo")
    folder = transaction.staging_root(layout) / FOLDER
    (folder / "old/go/a").mkdir(parents=True)
    (folder / "old/go/a/a.pb.go").write_text("older a")
    journal = _journal(moves=[["go/a/a.pb.go", False, True], ["go/../../x", True, False]])
    transaction.journal_path(layout).write_text(json.dumps(journal))
    with pytest.raises(BuildError) as info:
        transaction.recover(layout)
    assert "'go/../../x' is not a plain path relative to the checkout" in info.value.message
    assert (tmp_path / "repo/go/a/a.pb.go").read_text() == "old a"
    assert (folder / "old/go/a/a.pb.go").read_text() == "older a"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"[" * 100_000, "nested more than 8 deep"),
        (b'{"task": ' + b"[" * 9 + b"]" * 9 + b"}", "nested more than 8 deep"),
        (b" " * (transaction.MAX_JOURNAL_BYTES + 1), "larger than 16777216 bytes"),
        # Quotes that each open a string no quote closes: read once, not once per quote.
        (b'"' + b'\\"' * 8_000_000, "Unterminated string"),
        (b'{"task": "gen", "extra": 1}', "unknown transaction journal entry 'extra'"),
        (b'["not", "an", "object"]', "not an object"),
    ],
)
def test_a_journal_out_of_bounds_is_one_line(tmp_path: Path, content: bytes, says: str) -> None:
    layout = _tree(tmp_path)
    transaction.journal_path(layout).parent.mkdir(parents=True)
    transaction.journal_path(layout).write_bytes(content)
    with pytest.raises(BuildError) as info:
        transaction.recover(layout)
    assert info.value.exit_code == 2
    assert says in info.value.message
    assert "\n" not in info.value.message
    assert transaction.journal_path(layout).read_bytes() == content


@pytest.mark.parametrize("kind", ["fifo", "folder", "symlink"])
def test_a_journal_that_is_not_a_regular_file_is_refused_without_blocking(
    tmp_path: Path, kind: str
) -> None:
    layout = _tree(tmp_path / "repo")
    path = transaction.journal_path(layout)
    path.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        (tmp_path / "elsewhere.json").write_text(json.dumps(_journal()))
        path.symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(BuildError) as info:
        transaction.recover(layout)  # a FIFO opened for reading would wait here forever
    assert info.value.exit_code == 2
    assert "\n" not in info.value.message
    assert os.path.lexists(path)


def test_commit_refuses_a_file_outside_the_generated_trees(tmp_path: Path) -> None:
    layout = _tree(tmp_path)
    txn = transaction.Transaction(layout, "gen")
    txn.put_bytes("turboci/a.proto", b"not generated")
    with pytest.raises(BuildError) as info:
        txn.commit()
    assert "outside the generated trees (go/, py/, docs/)" in info.value.message
    assert not (tmp_path / "turboci").exists()


def test_leftover_staging_clean_up_deletes_only_real_folders_of_a_real_staging(
    tmp_path: Path,
) -> None:
    victim = victim_folder(tmp_path)
    before = everything_in(victim)
    layout = _tree(tmp_path / "repo")
    staging = transaction.staging_root(layout)
    staging.mkdir(parents=True)
    (staging / "x-2019-y").symlink_to(victim / "a-2019-b")  # a link named like a leftover
    (staging / "gen-9999999999-deadbeef").mkdir()  # no process has such an id
    transaction._drop_leftovers(layout)
    assert everything_in(victim) == before
    assert (staging / "x-2019-y").is_symlink()
    assert not (staging / "gen-9999999999-deadbeef").exists()
    # A staging folder that is itself a symlink is not listed at all.
    (staging / "x-2019-y").unlink()
    staging.rmdir()
    staging.symlink_to(victim)
    transaction._drop_leftovers(layout)
    assert everything_in(victim) == before


def test_recovery_drops_stale_temp_files_of_dead_writers(tmp_path: Path) -> None:
    layout = _tree(tmp_path)
    stamps = layout.stamps
    stamps.mkdir(parents=True)
    stale, young = stamps / ".breaking.k2j3h4.tmp", stamps / ".gen.a1b2c3.tmp"
    stale.write_text("half a stamp")
    young.write_text("being written")
    old = stale.stat().st_mtime - 2 * 3600
    os.utime(stale, (old, old))
    transaction.recover(layout)
    assert not stale.exists()
    assert young.exists()
