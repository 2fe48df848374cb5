# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Which files are inputs: one definition for the compile, the lint suite and the stamps.

A proto input is a regular file named `*.proto` under one of the proto
folders, outside hidden folders and the skipped ones. Anything else with
that name (a folder, a FIFO, a dangling or looping symlink) is refused with
one line instead of being read, and an unreadable folder is reported, not
skipped: a file the tools cannot see must not pass as absent. So is a name
that is not UTF-8 (protoc and the reports cannot carry it) and a symlinked
folder under the proto folders (it would be left out of the walk, or lead
out of the checkout).

Other files the tools read as inputs (presubmit.toml, buf.yaml) go through
read_regular(), which never blocks on a FIFO or a device.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path

from core import files
from core.errors import UserError

# Folders of tools and builds, never sources: left out of a walk without git
# too (with git, .gitignore leaves them out).
TOOL_FOLDERS = (
    "tools/venv",
    "tools/bin",
    "tools/cache",
    "tools/pygen",
    "tools/pygen.new",
    "build",
    "dist",
    "py/build",
)


class InputError(UserError):
    """The inputs cannot be listed; `lines` say which path and why.

    `found` holds the inputs that were fine. When every problem is a name
    (`names_only`), a caller (the lint) may check those anyway and fail
    after; otherwise not even that: protoc, asked to compile a file that
    imports a FIFO, would wait on it forever.
    """

    def __init__(
        self, lines: Sequence[str], found: Sequence[str] = (), names_only: bool = False
    ) -> None:
        super().__init__(lines)
        self.found = tuple(found)
        self.names_only = names_only


class NotRegularError(OSError):
    """A path that read_regular() will not read: not a regular file, or too big."""


def read_error(exc: OSError, name: str) -> str:
    """What to say about `exc` from read_regular() on the file known as `name`."""
    why = exc.strerror or str(exc)
    if isinstance(exc, IsADirectoryError) or (
        isinstance(exc, NotRegularError) and exc.errno == errno.EINVAL
    ):
        return f"{why}; {name} must be a regular file"
    return why


def shown(rel: str) -> str:
    """A path for a message: bytes that are not UTF-8 as backslash escapes."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def not_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.fsdecode kept the bad bytes as surrogates
        return True
    return False


_BAD_NAME = ": the file name is not valid UTF-8; rename it"


def bad_name(rel: str) -> str:
    return f"{shown(rel)}{_BAD_NAME}"


def under_any(rel: str, tops: Iterable[str]) -> bool:
    """Is root-relative `rel` one of `tops` or inside one ('.' or '' is everything)?"""
    for top in tops:
        top = top.strip("/")
        if top in ("", ".") or rel == top or rel.startswith(top + "/"):
            return True
    return False


def _relative_folder(folder: str, root: Path) -> str:
    """`folder` (as os.walk gives it, below `root`) relative to `root`, "." for itself."""
    prefix = os.path.join(str(root), "")
    if folder.startswith(prefix):
        return folder[len(prefix) :].replace(os.sep, "/") or "."
    return Path(folder).relative_to(root).as_posix()


def _join(rel_dir: str, name: str) -> str:
    return name if rel_dir in ("", ".") else f"{rel_dir}/{name}"


def _regular(path: str) -> bool:
    """A regular file (or a symlink to one)? One stat, no Path: a big tree has thousands."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _why_not_regular(path: Path) -> str | None:
    """None for a regular file (or a symlink to one); else what it is instead."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symlink loop"
        if not path.exists() and path.is_symlink():
            return "a dangling symlink"
        return f"cannot be read: {exc.strerror}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a FIFO, not a regular file"
    return "not a regular file"


def _link_error(root: Path, link: Path) -> str:
    rel = link.relative_to(root).as_posix()
    try:
        target = os.readlink(link)
    except OSError:
        target = "?"
    return (
        f"{shown(rel)}: a symlink to the folder {shown(target)}; source folders are "
        "not read through symlinks: replace the link with the folder itself"
    )


def find_files(
    root: Path,
    tops: Sequence[str],
    suffix: str,
    skip: Sequence[str] = (),
    linked_folders: bool = False,
) -> tuple[str, ...]:
    """Every regular `*suffix` file under `tops` (folders, or files), root-relative, sorted.

    Raises InputError naming every path that has the suffix but is not a
    regular file or has a name that is not UTF-8, every folder that cannot be
    listed and every symlinked folder (`linked_folders` skips those silently
    instead, as git does); its `found` holds the rest.
    """
    found: set[str] = set()
    errors: list[str] = []
    for top in tops:
        base = root / top
        link = files.first_symlink(root, root / top) if base.is_dir() else None
        if link is not None:
            if not linked_folders:
                errors.append(_link_error(root, link))
            continue
        if not base.is_dir():
            # A file named as a top (the PATHs a run is limited to).
            if top.endswith(suffix) and (base.exists() or base.is_symlink()):
                if under_any(top, skip):
                    continue
                if not_utf8(top):
                    errors.append(bad_name(top))
                    continue
                why = _why_not_regular(base)
                if why is not None:
                    errors.append(f"{shown(top)}: {why}; only regular files are read")
                else:
                    found.add(Path(top).as_posix())
            continue
        for dirpath, dirnames, filenames in os.walk(
            base, onerror=lambda e: errors.append(_folder_error(root, e))
        ):
            # Strings, not a Path per folder and file: a big tree has thousands.
            rel_dir = _relative_folder(dirpath, root)
            # Hidden folders (.git, .cache) never hold sources; symlinked
            # folders are not followed (os.walk's default), so no loop.
            kept: list[str] = []
            for d in sorted(dirnames):
                rel = _join(rel_dir, d)
                if d.startswith(".") or (skip and under_any(rel, skip)):
                    continue
                if os.path.islink(os.path.join(dirpath, d)):
                    if not linked_folders and (Path(dirpath) / d).is_dir():
                        errors.append(_link_error(root, Path(dirpath) / d))
                    continue
                if d.endswith(suffix) and (Path(dirpath) / d).is_dir():
                    errors.append(f"{shown(rel)}: a folder named like a {suffix} file; rename it")
                    continue
                kept.append(d)
            dirnames[:] = kept
            for name in filenames:
                if not name.endswith(suffix):
                    continue
                rel = _join(rel_dir, name)
                if skip and under_any(rel, skip):
                    continue
                if not_utf8(rel):
                    errors.append(bad_name(rel))
                    continue
                if not _regular(os.path.join(dirpath, name)):
                    why = _why_not_regular(Path(dirpath) / name) or "not a regular file"
                    errors.append(f"{shown(rel)}: {why}; only regular files are read")
                    continue
                found.add(rel)
    if errors:
        names_only = all(e.endswith(_BAD_NAME) for e in errors)
        raise InputError(sorted(set(errors)), tuple(sorted(found)), names_only)
    return tuple(sorted(found))


def _folder_error(root: Path, exc: OSError) -> str:
    name = Path(exc.filename) if exc.filename else root
    try:
        where = name.relative_to(root).as_posix()
    except ValueError:
        where = str(name)
    return f"{shown(where)}: cannot list this folder: {exc.strerror}; fix its permissions"


def find_protos(root: Path, tops: Sequence[str], skip: Sequence[str] = ()) -> tuple[str, ...]:
    """The proto inputs under `tops`: see the module docstring."""
    return find_files(root, tops, ".proto", skip)


def git_listing(root: Path, *pathspecs: str) -> list[str] | None:
    """Tracked files and untracked ones git does not ignore, root-relative and sorted.

    None when `root` is not a git checkout (or git is missing): callers then
    fall back to walking the tree, or trust no cached answer.
    """
    try:
        proc = subprocess.run(
            [
                "git",
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                *pathspecs,
            ],
            cwd=root,
            capture_output=True,
        )
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return sorted({os.fsdecode(n) for n in proc.stdout.split(b"\0") if n})


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of `path` if it is a regular file (or a symlink to one), read
    without ever blocking: a FIFO or a device is refused before any read.

    Raises IsADirectoryError for a folder, NotRegularError for anything else
    that is not a regular file and for a file over `limit` bytes, and
    OSError as open() does (FileNotFoundError, ...); each carries the path
    and a `strerror` that says what it is.
    """
    # O_NONBLOCK: opening a FIFO that has no writer would wait for one.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "a folder, not a file", str(path))
        if not stat.S_ISREG(info.st_mode):
            kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a special file"
            raise NotRegularError(errno.EINVAL, f"{kind}, not a regular file", str(path))
        if limit is not None and info.st_size > limit:
            raise NotRegularError(
                errno.EFBIG, f"{info.st_size} bytes, over the {limit}-byte limit", str(path)
            )
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)
