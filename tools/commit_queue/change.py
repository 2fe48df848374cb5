# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The change a presubmit judges: its commit range, its description, its files."""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from core.errors import UserError
from tools import history


class ChangeError(UserError):
    """The presubmit cannot run on this checkout (exit 2): one line says why."""


@dataclass(frozen=True)
class Change:
    """basis..HEAD (plus the working tree when uncommitted changes are included)."""

    root: Path
    # The commit the change is compared with; None when there is none (HEAD is
    # the first commit, or --allow-no-basis went on without one).
    basis: str | None
    # How the basis was found, for the summary ("merge base with origin/main").
    basis_why: str
    description: str
    # Where the description comes from, for messages.
    description_from: str
    # Every path the change adds, removes or modifies (both sides of a rename);
    # None when it cannot be known (no basis), so nothing may be skipped.
    files: tuple[str, ...] | None
    # Uncommitted files included in the change (empty unless asked for).
    uncommitted: tuple[str, ...] = ()


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except FileNotFoundError:
        raise ChangeError("git is not installed (not found on PATH)") from None


# A description is a commit message: anything near this size is not one.
MAX_MESSAGE_BYTES = 1 << 20

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _refuse_irregular(mode: int, where: str) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "a special file")
        raise ChangeError(
            f"{where}: {kind}, not a regular file; give a file that holds the change description"
        )


def _read_regular(path: Path, where: str) -> bytes:
    # Checked before the open: opening a FIFO for reading waits for a writer.
    _refuse_irregular(os.stat(path).st_mode, where)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        # What was opened decides: the path may have been swapped since the stat.
        _refuse_irregular(os.fstat(fd).st_mode, where)
        data = os.read(fd, MAX_MESSAGE_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_MESSAGE_BYTES:
        raise ChangeError(
            f"{where}: larger than a change description can be ({MAX_MESSAGE_BYTES} bytes); "
            "give the commit message alone"
        )
    return data


def read_message(path: Path) -> str:
    """The change description in `path`: a regular UTF-8 file, read without blocking."""
    where = f"--message-file {path}"
    try:
        data = _read_regular(path, where)
    except OSError as exc:
        raise ChangeError(f"{where}: cannot read it: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ChangeError(
            f"{where}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the description as UTF-8"
        ) from None


def _lines(text: str) -> list[str]:
    return [p for p in text.split("\0") if p]


def uncommitted(root: Path) -> list[str]:
    """Tracked files that differ from HEAD and untracked files git does not ignore."""
    proc = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
    if proc.returncode != 0:
        raise ChangeError(f"git status failed: {proc.stderr.strip()}")
    return sorted({entry[3:] for entry in _lines(proc.stdout)})


def _no_basis(reason: str, allowed: bool, *, shallow: bool = True) -> tuple[None, str]:
    """No basis can be found: an error, unless --allow-no-basis asks to go on without."""
    if allowed:
        return None, f"none: {reason}; breaking skipped as --allow-no-basis asks"
    if not shallow:
        raise ChangeError(reason)
    raise ChangeError(
        f"{reason}, so the change has no basis to compare with: {history.FETCH_HINT}; "
        "or pass --allow-no-basis to run every other check and skip breaking"
    )


def _basis(root: Path, upstream: str | None, allow_no_basis: bool) -> tuple[str | None, str]:
    if upstream is not None:
        proc = _git(root, "rev-parse", "--verify", "--quiet", f"{upstream}^{{commit}}")
        if proc.returncode != 0:
            raise ChangeError(f"--upstream {upstream}: no such commit or ref in this checkout")
        name = upstream
    else:
        proc = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
        if proc.returncode != 0:
            parent = _git(root, "rev-parse", "--verify", "--quiet", "HEAD~1^{commit}")
            if parent.returncode == 0:
                return parent.stdout.strip(), "HEAD~1 (no upstream branch is set; see --upstream)"
            # In a shallow clone HEAD only looks like a first commit.
            if history.is_shallow(root):
                return _no_basis("this shallow clone lacks HEAD's parent", allow_no_basis)
            return None, "none: HEAD is the first commit"
        name = proc.stdout.strip()
    base = _git(root, "merge-base", "HEAD", name)
    if base.returncode != 0 or not base.stdout.strip():
        if history.is_shallow(root):
            return _no_basis(f"this shallow clone lacks the merge base with {name}", allow_no_basis)
        return _no_basis(f"HEAD has no merge base with {name}", allow_no_basis, shallow=False)
    return base.stdout.strip(), f"merge base with {name}"


def find(
    root: Path,
    *,
    upstream: str | None = None,
    message_file: Path | None = None,
    include_uncommitted: bool = False,
    allow_no_basis: bool = False,
) -> Change:
    """The change checked out at `root`; raises ChangeError when there is none to judge."""
    # A bad argument is reported before git is asked anything.
    description = None if message_file is None else read_message(message_file)
    inside = _git(root, "rev-parse", "--show-toplevel")
    if inside.returncode != 0:
        raise ChangeError(f"{root} is not a git checkout; the presubmit judges a commit range")
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        raise ChangeError("HEAD has no commit yet; commit the change first")
    dirty = uncommitted(root)
    if dirty and not include_uncommitted:
        raise ChangeError(
            f"{len(dirty)} uncommitted file(s) (e.g. {dirty[0]}): commit or stash them, "
            "or pass --include-uncommitted to check the working tree as it is"
        )
    basis, why = _basis(root, upstream, allow_no_basis)
    source = "HEAD's commit message"
    if description is None:
        description = _git(root, "log", "-1", "--format=%B", "HEAD").stdout
    else:
        source = f"--message-file {message_file}"
    files: tuple[str, ...] | None = None
    if basis is not None:
        # --no-renames: a rename counts as the old path removed and the new one added.
        target = [] if include_uncommitted else ["HEAD"]
        proc = _git(root, "diff", "--name-only", "-z", "--no-renames", basis, *target, "--")
        if proc.returncode != 0:
            raise ChangeError(f"git diff {basis[:12]} failed: {proc.stderr.strip()}")
        files = tuple(sorted(set(_lines(proc.stdout)) | set(dirty)))
    return Change(root, basis, why, description, source, files, tuple(dirty))
