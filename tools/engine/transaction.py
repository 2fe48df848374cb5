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

The journal is input like any file on disk (a .cache can come from a CI
cache, a tarball or another user): recovery validates the whole of it
before the first action and refuses it, acting on nothing, unless every
path it names is a plain relative path inside one of the trees a
transaction writes (go/, py/, docs/: see writable_trees()), every folder on
the way to it, from the root down, is a real folder (lstat, never a
symlink), and its staging folder is a real folder directly in a real
.cache/staging. The journal itself must be a regular file of bounded size
and nesting. Commit holds the moves it plans to the same rules, so what it
writes, recovery accepts.

Only the standard library is used: build.py recovers before the venv exists.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
import threading
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from core import cache_dir
from core import files
from core import processes
from core.layout import Layout
from tools.errors import BuildError

JOURNAL = "transaction.json"
STAGING = "staging"
# Far more than a swap of every generated file takes (about 100 bytes a file).
MAX_JOURNAL_BYTES = 16 << 20
# The journal nests three deep (object, list of moves, move).
MAX_JOURNAL_DEPTH = 8
# The staging folder a transaction names: scratch(layout, "txn").
_TXN_FOLDER = re.compile(r"txn-[0-9]+-[0-9a-f]{8}")
_STATES = ("applying", "committed")


def writable_trees(layout: Layout) -> tuple[str, ...]:
    """The root-relative folders a transaction may write: gen's and docs' outputs."""
    return tuple(layout.rel(p) for p in (layout.go, layout.py, layout.docs))


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
        cache_dir.check(layout)
        cache_dir.real_folder(layout, base)
        base.mkdir(parents=True, exist_ok=True)
        folder = base / f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        folder.mkdir()
    except cache_dir.CacheError as exc:
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
                _check_path(self.layout, rel, "a file")
            except files.OutsideRootError as exc:
                raise BuildError(str(exc), exit_code=2) from None
            except JournalError as exc:
                raise BuildError(f"{exc}; refusing to write there", exit_code=2) from None
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

    The caller holds the checkout's lock. Staging folders of dead runs go
    too, temp files that dead atomic writes left under .cache, and the
    caches of other trees unused for a week.
    """
    try:
        cache_dir.check(layout)
    except cache_dir.CacheError as exc:
        raise BuildError(str(exc), exit_code=2) from None
    message = None
    if pending(layout):
        message = _recover_journal(layout)
    _drop_leftovers(layout)
    cache_dir.drop_stale_temps(layout)
    cache_dir.drop_stale_trees(layout)
    return message


class JournalError(ValueError):
    """The journal is not one that commit could have written: what is wrong with it."""


@dataclass(frozen=True)
class Journal:
    """A journal that passed _validated(): every path in it is safe to act on."""

    task: str
    folder: Path
    state: str
    moves: list[Move]
    raw: dict[str, object]


# Once escapes are gone, a JSON string has no quote inside: `"[^"]*"` scans
# the text once, whatever it holds (an unterminated string fails only at the end).
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_AS_SQUARE = bytes.maketrans(b"{}", b"[]")
_TASK = re.compile(r"[A-Za-z0-9_. -]{1,64}")


def _nests_within_bound(data: bytes) -> bool:
    """Do the JSON text's arrays and objects nest at most MAX_JOURNAL_DEPTH deep?
    Linear in the text, before any parser recurses into it (a mismatched pair
    is left for the parser to reject)."""
    bare = _STRING.sub(b"", data.replace(b"\\\\", b"").replace(b'\\"', b""))
    brackets = bare.translate(_AS_SQUARE, _NOT_BRACKETS)
    for _ in range(MAX_JOURNAL_DEPTH):
        brackets = brackets.replace(b"[]", b"")  # the innermost level goes
    return not brackets


def _brief(value: object) -> str:
    """`value` as a message shows it: quoted, escaped, and short."""
    text = repr(value)
    return text if len(text) <= 80 else text[:76] + "...'"


def _walk(
    layout: Layout, base: Path, rel: str, what: str, folder: bool, regular: bool = False
) -> None:
    """Each part of `base`/`rel` that exists is a real folder (the last one a
    folder if `folder`, else anything but a folder, a regular file if
    `regular`); never a symlink on the way."""
    parts = rel.split("/")
    current = base
    for i, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return
        except OSError as exc:
            raise JournalError(f"{what}: {_brief(layout.rel(current))}: {exc.strerror}") from None
        last = i == len(parts) - 1
        if stat.S_ISLNK(mode) and (folder or not last):
            raise JournalError(f"{what} leads through the symlink {_brief(layout.rel(current))}")
        if (folder or not last) and not stat.S_ISDIR(mode):
            raise JournalError(f"{what} leads through {_brief(layout.rel(current))}, not a folder")
        if last and not folder and stat.S_ISDIR(mode):
            raise JournalError(f"{what} is a folder, not a file")
        if last and regular and not stat.S_ISREG(mode):
            raise JournalError(f"{what} is not a regular file")


def _check_path(layout: Layout, rel: object, what: str, folder: bool = False) -> str:
    """`rel`, once it is a plain relative path in a writable tree with no symlink
    on the way (from the root down); JournalError otherwise."""
    if not isinstance(rel, str):
        raise JournalError(f"{what} is {_brief(rel)}, not a path")
    parts = rel.split("/")
    control = any(ord(c) < 32 or ord(c) == 127 for c in rel)  # no generated name has one
    if not rel or control or any(p in ("", ".", "..") for p in parts):
        raise JournalError(f"{what} {_brief(rel)} is not a plain path relative to the checkout")
    trees = writable_trees(layout)
    if not any(rel.startswith(t + "/") or (folder and rel == t) for t in trees):
        named = ", ".join(f"{t}/" for t in trees)
        raise JournalError(f"{what} {_brief(rel)} is outside the generated trees ({named})")
    _walk(layout, layout.root, rel, f"{what} {_brief(rel)}", folder)
    return rel


def _parse(layout: Layout) -> dict[str, object]:
    """The journal's JSON object: a regular file, bounded in size and nesting."""
    try:
        data = cache_dir.read_regular(journal_path(layout), MAX_JOURNAL_BYTES)
    except OSError as exc:
        why = (
            str(exc)
            if isinstance(exc, cache_dir.NotRegularError | cache_dir.TooLargeError)
            else exc.strerror
        )
        raise JournalError(f"unreadable transaction journal ({why})") from None
    if not _nests_within_bound(data):
        raise JournalError(
            "unreadable transaction journal (nested more than "
            f"{MAX_JOURNAL_DEPTH} deep, or unbalanced)"
        )
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise JournalError(f"unreadable transaction journal ({exc})") from None
    if not isinstance(raw, dict):
        raise JournalError("unreadable transaction journal (not an object)")
    return raw


def _validated(layout: Layout) -> Journal:
    """The whole journal checked before anything is done with it (all or nothing)."""
    raw = _parse(layout)
    unknown = sorted(set(raw) - {"task", "folder", "state", "dirs", "moves"})
    if unknown:
        raise JournalError(f"unknown transaction journal entry {_brief(unknown[0])}")
    task, state, name = raw.get("task"), raw.get("state"), raw.get("folder")
    if not (isinstance(task, str) and _TASK.fullmatch(task)):
        raise JournalError(f"the task is {_brief(task)}, not a task name")
    if state not in _STATES:
        raise JournalError(f"the state is {_brief(state)}, not one of {', '.join(_STATES)}")
    if not (isinstance(name, str) and _TXN_FOLDER.fullmatch(name)):
        raise JournalError(f"the folder is {_brief(name)}, not a staging folder name (txn-PID-ID)")
    folder = staging_root(layout) / name
    try:
        cache_dir.real_folder(layout, folder)
    except cache_dir.CacheError as exc:
        raise JournalError(str(exc)) from None
    dirs, moves = raw.get("dirs"), raw.get("moves")
    if not isinstance(dirs, list) or not isinstance(moves, list):
        raise JournalError("its dirs and moves are not lists")
    for d in dirs:
        _check_path(layout, d, "a folder it made", folder=True)
    checked: list[Move] = []
    for item in moves:
        if not (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[1], bool)
            and isinstance(item[2], bool)
        ):
            raise JournalError(f"a move is {_brief(item)}, not [path, new, old]")
        rel = _check_path(layout, item[0], "a move")
        for side in ("new", "old"):
            staged = f"{side}/{rel}"
            _walk(layout, folder, staged, f"a staged file {_brief(staged)}", False, regular=True)
        checked.append(Move(rel, item[1], item[2]))
    return Journal(task, folder, str(state), checked, raw)


def _recover_journal(layout: Layout) -> str:
    path = journal_path(layout)
    shown = layout.rel(path)
    try:
        journal = _validated(layout)
    except JournalError as exc:
        # Not what commit writes: acting on any of it could move files anywhere.
        raise BuildError(
            f"{shown}: {exc}; nothing was done: check go/, py/ and docs/ with git status, "
            f"look at {shown}, then delete it",
            exit_code=2,
        ) from None
    task, folder, moves = journal.task, journal.folder, journal.moves
    if journal.state == "committed":
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
        restored = _undo(layout, folder, journal.raw)
    except OSError as exc:
        raise BuildError(
            f"{exc.filename}: cannot undo the interrupted {task}: {exc.strerror}; "
            f"fix that, then run again ({shown} lists the moves)",
            exit_code=2,
        ) from None
    return f"undid the interrupted {task}: restored {restored} file(s) to what they were"


_LEFTOVER = re.compile(r"[^-]+-([0-9]{1,10})-[^-]+")


def _drop_leftovers(layout: Layout) -> None:
    """Staging folders of runs that died (named <what>-<pid>-<id>): only real
    folders directly in a real .cache/staging, never a symlink or what it leads to."""
    base = staging_root(layout)
    try:
        cache_dir.real_folder(layout, base)
        entries = list(os.scandir(base))
    except (cache_dir.CacheError, OSError):
        return
    for entry in entries:
        match = _LEFTOVER.fullmatch(entry.name)
        if match is None or processes.alive(int(match[1])):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)


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
