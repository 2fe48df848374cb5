# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Which files are inputs: one definition for the compile, the lint suite and the stamps.

A proto input is a regular file named `*.proto` under one of the proto
folders, outside hidden folders and the skipped ones. Anything else with
that name (a folder, a FIFO, a dangling or looping symlink) is refused with
one line instead of being read, and an unreadable folder is reported, not
skipped: a file the tools cannot see must not pass as absent.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path


class InputError(Exception):
    """The inputs cannot be listed; `lines` say which path and why."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


def under_any(rel: str, tops: Iterable[str]) -> bool:
    """Is root-relative `rel` one of `tops` or inside one ('.' or '' is everything)?"""
    for top in tops:
        top = top.strip("/")
        if top in ("", ".") or rel == top or rel.startswith(top + "/"):
            return True
    return False


def _join(rel_dir: str, name: str) -> str:
    return name if rel_dir in ("", ".") else f"{rel_dir}/{name}"


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


def find_files(
    root: Path, tops: Sequence[str], suffix: str, skip: Sequence[str] = ()
) -> tuple[str, ...]:
    """Every regular `*suffix` file under `tops` (folders, or files), root-relative, sorted.

    Raises InputError naming every path that has the suffix but is not a
    regular file, and every folder that cannot be listed.
    """
    found: set[str] = set()
    errors: list[str] = []
    for top in tops:
        base = root / top
        if not base.is_dir():
            # A file named as a top (the PATHs a run is limited to).
            if top.endswith(suffix) and (base.exists() or base.is_symlink()):
                if under_any(top, skip):
                    continue
                why = _why_not_regular(base)
                if why is not None:
                    errors.append(f"{top}: {why}; only regular files are read")
                else:
                    found.add(Path(top).as_posix())
            continue
        for dirpath, dirnames, filenames in os.walk(
            base, onerror=lambda e: errors.append(_folder_error(root, e))
        ):
            rel_dir = Path(dirpath).relative_to(root).as_posix()
            # Hidden folders (.git, .cache) never hold sources; symlinked
            # folders are not followed (os.walk's default), so no loop.
            kept: list[str] = []
            for d in sorted(dirnames):
                rel = _join(rel_dir, d)
                if d.startswith(".") or under_any(rel, skip):
                    continue
                if d.endswith(suffix) and (Path(dirpath) / d).is_dir():
                    errors.append(f"{rel}: a folder named like a {suffix} file; rename it")
                    continue
                kept.append(d)
            dirnames[:] = kept
            for name in filenames:
                if not name.endswith(suffix):
                    continue
                rel = _join(rel_dir, name)
                if under_any(rel, skip):
                    continue
                why = _why_not_regular(Path(dirpath) / name)
                if why is not None:
                    errors.append(f"{rel}: {why}; only regular files are read")
                    continue
                found.add(rel)
    if errors:
        raise InputError(sorted(set(errors)))
    return tuple(sorted(found))


def _folder_error(root: Path, exc: OSError) -> str:
    name = Path(exc.filename) if exc.filename else root
    try:
        shown = name.relative_to(root).as_posix()
    except ValueError:
        shown = str(name)
    return f"{shown}: cannot list this folder: {exc.strerror}; fix its permissions"


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
