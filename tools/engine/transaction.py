# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Generated files swapped in as one transaction: the tree is wholly old or wholly new.

A task stages each new file under .cache/staging/<id>/new/ (inside the
repo, so every move is a rename on one filesystem) and names the files to
delete. Committing first writes a journal of every planned move
(.cache/transaction.json), then moves each old file to
.cache/staging/<id>/old/ and each new one into place, then marks the
journal committed and drops the old files. A failure on the way moves
everything back. A process killed on the way leaves the journal, and the
next ./build.py, whatever its task, undoes the moves (or, once committed,
finishes the clean-up) before anything else, under the checkout's lock.

Renames survive a power cut as well as a kill: the journal is flushed
(file and folder) before the first move, every folder a swap touched is
flushed once after the moves and before the journal says committed, and the
journal's folder is flushed after it is removed.

Only the standard library is used: build.py recovers before the venv exists.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from core import files
from core.layout import Layout
from tools.errors import BuildError

JOURNAL = "transaction.json"
STAGING = "staging"


def journal_path(layout: Layout) -> Path:
    return layout.cache / JOURNAL


def staging_root(layout: Layout) -> Path:
    return layout.cache / STAGING


def scratch(layout: Layout, prefix: str, anywhere: bool = False) -> Path:
    """A fresh folder under .cache/staging for a task's own staging, named for
    this process so that recovery can tell a dead run's leftovers. With
    `anywhere` (nothing will be moved into the tree: a --check), a read-only
    checkout falls back to the system's temp folder; the caller removes it."""
    base = staging_root(layout)
    if anywhere:
        try:
            return scratch(layout, prefix)
        except BuildError:
            return Path(tempfile.mkdtemp(prefix=f"turboci-{prefix}-"))
    try:
        files.confined(layout.root, base)
        base.mkdir(parents=True, exist_ok=True)
        folder = base / f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        folder.mkdir()
    except files.OutsideRootError as exc:
        raise BuildError(str(exc), exit_code=2) from None
    except OSError as exc:
        raise BuildError(
            f"{layout.rel(base)}: cannot create a staging folder: {exc.strerror}; "
            "make the checkout writable",
            exit_code=2,
        ) from None
    return folder


@dataclass(frozen=True)
class Move:
    """One file of the transaction: `new` puts a file there, `old` had one there."""

    path: str
    new: bool
    old: bool


@dataclass
class Transaction:
    """New and deleted files of one or more tasks, applied together by commit()."""

    layout: Layout
    task: str
    _new: dict[str, bool] = field(default_factory=dict)  # path -> True: put, False: delete
    _on_commit: list[Callable[[], None]] = field(default_factory=list)
    _folder: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _staged(self) -> Path:
        if self._folder is None:
            self._folder = scratch(self.layout, "txn")
        return self._folder

    def put(self, rel: str, source: Path) -> None:
        """Stage `source` (a file under .cache/staging, moved, not copied) as `rel`."""
        with self._lock:
            dest = self._staged() / "new" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, dest)
            self._new[rel] = True

    def put_bytes(self, rel: str, data: bytes) -> None:
        with self._lock:
            dest = self._staged() / "new" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            self._new[rel] = True

    def delete(self, rel: str) -> None:
        with self._lock:
            self._new[rel] = False

    def on_commit(self, then: Callable[[], None]) -> None:
        """Run `then` once the files are in place (e.g. record a stamp of them)."""
        with self._lock:
            self._on_commit.append(then)

    @property
    def size(self) -> int:
        return len(self._new)

    def discard(self) -> None:
        """Forget everything staged; the tree is not touched."""
        with self._lock:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
            self._new.clear()
            self._on_commit.clear()

    def commit(self) -> int:
        """Apply every move, all or none; return how many files changed."""
        with self._lock:
            count = len(self._new)
            try:
                if count:
                    _apply(self.layout, self.task, self._staged(), self._plan())
            except BaseException:
                if self._folder is not None:  # refused before any move: drop the staging
                    shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None
                self._new.clear()
                raise
            self._new.clear()
            hooks, self._on_commit = self._on_commit, []
            self._folder = None
        for then in hooks:
            then()
        return count

    def _plan(self) -> list[Move]:
        root = self.layout.root
        moves: list[Move] = []
        for rel, new in sorted(self._new.items()):
            target = root / rel
            try:
                files.confined(root, target)
            except files.OutsideRootError as exc:
                raise BuildError(str(exc), exit_code=2) from None
            moves.append(Move(rel, new, os.path.lexists(target)))
        return moves


def _missing_dirs(root: Path, moves: list[Move]) -> list[str]:
    """Folders the new files need that do not exist yet, deepest last."""
    made: set[str] = set()
    for m in moves:
        if not m.new:
            continue
        for parent in Path(m.path).parents:
            if str(parent) in (".", "") or (root / parent).is_dir():
                break
            made.add(parent.as_posix())
    return sorted(made, key=lambda p: (p.count("/"), p))


def _write_journal(layout: Layout, data: dict[str, object]) -> None:
    files.write_atomic(journal_path(layout), json.dumps(data).encode(), layout.root)


def _drop_journal(layout: Layout) -> None:
    """Remove the journal, durably: its folder is flushed after."""
    path = journal_path(layout)
    if os.path.lexists(path):
        path.unlink()
        files.sync_folders([path.parent])


def _touched(root: Path, folder: Path, moves: list[Move], made: list[str]) -> list[Path]:
    """The folders whose entries a swap changes: each one once."""
    out: dict[Path, None] = {}
    for d in made:
        out[(root / d).parent] = None
    for m in moves:
        out[(root / m.path).parent] = None
        if m.old:
            out[(folder / "old" / m.path).parent] = None
    return [p for p in out if p.is_dir()]


def _apply(layout: Layout, task: str, folder: Path, moves: list[Move]) -> None:
    root = layout.root
    made = _missing_dirs(root, moves)
    journal: dict[str, object] = {
        "task": task,
        "folder": folder.name,
        "state": "applying",
        "dirs": made,
        "moves": [[m.path, m.new, m.old] for m in moves],
    }
    try:
        _write_journal(layout, journal)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise BuildError(
            f"{layout.rel(journal_path(layout))}: cannot write: {exc.strerror}", exit_code=2
        ) from None
    current = ""
    try:
        for d in made:
            current = d
            (root / d).mkdir()
        for m in moves:
            current = m.path
            target = root / m.path
            if m.old:
                backup = folder / "old" / m.path
                backup.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, backup)
            if m.new:
                os.replace(folder / "new" / m.path, target)
        # Before the journal says committed, the moves must be on disk.
        files.sync_folders(_touched(root, folder, moves, made))
    except BaseException as exc:
        # Everything back as it was, then say which file could not be replaced.
        _undo(layout, folder, journal)
        if isinstance(exc, OSError):
            raise BuildError(
                f"{current}: cannot replace it: {exc.strerror}; nothing was changed "
                "(make the folder writable and run again)",
                exit_code=1,
            ) from None
        raise
    journal["state"] = "committed"
    _write_journal(layout, journal)
    _finish(layout, folder, moves)


def _finish(layout: Layout, folder: Path, moves: list[Move]) -> None:
    """After a commit: drop the old files and folders the deletions emptied."""
    root = layout.root
    shutil.rmtree(folder, ignore_errors=True)
    for m in moves:
        if m.new:
            continue
        for parent in Path(m.path).parents:
            if len(parent.parts) < 2:  # never go/ or py/ themselves
                break
            with contextlib.suppress(OSError):
                (root / parent).rmdir()  # only if empty
    # Lost to a power cut, the removal would only make the next run finish again.
    _drop_journal(layout)


def _undo(layout: Layout, folder: Path, journal: dict[str, object]) -> int:
    """Move every old file back and remove every new one; how many were restored."""
    root = layout.root
    restored = 0
    moves = _moves(journal.get("moves"))
    for m in reversed(moves):
        target = root / m.path
        touched = False
        if m.new and not os.path.lexists(folder / "new" / m.path) and os.path.lexists(target):
            target.unlink()  # the new file had been moved in
            touched = True
        backup = folder / "old" / m.path
        if m.old and os.path.lexists(backup):
            os.replace(backup, target)
            touched = True
        restored += touched
    dirs = [str(d) for d in _list(journal.get("dirs"))]
    for d in reversed(dirs):
        with contextlib.suppress(OSError):
            (root / d).rmdir()
    # The restored files must be on disk before the journal that could undo
    # the swap again is gone.
    restored_to = [(root / m.path).parent for m in moves] + [(root / d).parent for d in dirs]
    files.sync_folders(p for p in restored_to if p.is_dir())
    shutil.rmtree(folder, ignore_errors=True)
    _drop_journal(layout)
    return restored


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _moves(value: object) -> list[Move]:
    """The journal's moves; ValueError if they are not what _apply wrote."""
    moves = []
    for item in _list(value):
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)):
            raise ValueError(f"a move is {item!r}")
        moves.append(Move(item[0], bool(item[1]), bool(item[2])))
    return moves


def pending(layout: Layout) -> bool:
    """Is there an interrupted transaction (cheap: one stat)?"""
    return os.path.lexists(journal_path(layout))


def recover(layout: Layout) -> str | None:
    """Undo or finish an interrupted transaction; one line saying which, or None.

    The caller holds the checkout's lock. Staging folders of dead runs go too.
    """
    message = None
    if pending(layout):
        message = _recover_journal(layout)
    _drop_leftovers(layout)
    return message


def _recover_journal(layout: Layout) -> str:
    path = journal_path(layout)
    shown = layout.rel(path)
    try:
        files.confined(layout.root, path)
        journal = json.loads(path.read_bytes().decode("utf-8"))
        if not isinstance(journal, dict):
            raise ValueError("not an object")
        folder = staging_root(layout) / str(journal["folder"])
        task = str(journal.get("task", "a task"))
        moves = _moves(journal.get("moves"))
    except files.OutsideRootError as exc:
        raise BuildError(str(exc), exit_code=2) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # The journal is written atomically: this one was not written by us.
        raise BuildError(
            f"{shown}: unreadable transaction journal ({exc}); check go/, py/ and docs/ "
            f"with git status, then delete {shown}",
            exit_code=2,
        ) from None
    if journal.get("state") == "committed":
        _finish(layout, folder, moves)
        return f"finished the interrupted {task}: its {len(moves)} file change(s) were in place"
    if not folder.is_dir():
        raise BuildError(
            f"{layout.rel(folder)}: the staging folder of the interrupted {task} is gone, "
            f"so it cannot be undone; check go/, py/ and docs/ with git status, "
            f"then delete {shown}",
            exit_code=2,
        )
    try:
        restored = _undo(layout, folder, journal)
    except OSError as exc:
        raise BuildError(
            f"{exc.filename}: cannot undo the interrupted {task}: {exc.strerror}; "
            f"fix that, then run again ({shown} lists the moves)",
            exit_code=2,
        ) from None
    return f"undid the interrupted {task}: restored {restored} file(s) to what they were"


def _drop_leftovers(layout: Layout) -> None:
    """Staging folders of runs that died (named <what>-<pid>-<id>)."""
    base = staging_root(layout)
    with contextlib.suppress(OSError):
        for folder in base.iterdir():
            parts = folder.name.split("-")
            if len(parts) == 3 and parts[1].isdigit() and not _alive(int(parts[1])):
                shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def writing(layout: Layout, task: str, current: Transaction | None) -> Iterator[Transaction]:
    """The transaction a task stages into: `current` (that of `all`, which
    commits it) or a new one, committed when the block ends without error."""
    if current is not None:
        yield current
        return
    txn = Transaction(layout, task)
    try:
        yield txn
    except BaseException:
        txn.discard()
        raise
    txn.commit()
