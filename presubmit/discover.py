"""Which files a run lints: the protos of the configured trees and the repo's Python."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path

from presubmit.config import Config

# Generated Python is written by protoc plugins, not by hand.
GENERATED_SUFFIXES = ("_pb2.py", "_pb2_grpc.py")


def _under_any(rel: str, tops: Iterable[str]) -> bool:
    for top in tops:
        top = top.strip("/")
        if top in ("", ".") or rel == top or rel.startswith(top + "/"):
            return True
    return False


def _walk(base: Path, root: Path, suffix: str, skip: Sequence[str]) -> list[str]:
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        # Hidden directories (.git, .cache) never hold sources to lint.
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not _under_any(_join(rel_dir, d), skip)
        )
        found += [_join(rel_dir, f) for f in filenames if f.endswith(suffix)]
    return found


def _join(rel_dir: str, name: str) -> str:
    return name if rel_dir == "." else f"{rel_dir}/{name}"


def selected(rel: str, paths: Sequence[str]) -> bool:
    """Is `rel` inside one of the PATH arguments (root-relative; none means all)?"""
    return not paths or _under_any(rel, paths)


def proto_files(root: Path, config: Config, paths: Sequence[str] = ()) -> list[str]:
    skip = (*config.include_only, *config.exclude)
    found: set[str] = set()
    for top in config.protos:
        base = root / top
        if base.is_dir():
            found.update(_walk(base, root, ".proto", skip))
    return sorted(f for f in found if not _under_any(f, skip) and selected(f, paths))


def _is_generated(rel: str) -> bool:
    return rel.endswith(GENERATED_SUFFIXES)


def python_files(root: Path, config: Config, paths: Sequence[str] = ()) -> list[str]:
    """Tracked and untracked (not ignored) .py files, less excludes and generated stubs."""
    listed: list[str] | None = None
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"],
            cwd=root,
            capture_output=True,
            check=False,
        )
        if proc.returncode == 0:
            listed = [p for p in proc.stdout.decode("utf-8", "replace").split("\0") if p]
    except OSError:
        listed = None
    if listed is None:
        listed = _walk(root, root, ".py", config.python_exclude)
    return sorted(
        {
            p
            for p in listed
            if (root / p).is_file()
            and not _under_any(p, config.python_exclude)
            and not _is_generated(p)
            and selected(p, paths)
        }
    )
