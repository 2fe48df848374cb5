"""The whole-tree stamp that lets a rerun of `all` with nothing changed return at once.

It hashes the content of every file git would see (tracked, or untracked and
not ignored: sources, outputs, config), the installed-tools record, and the
commits `breaking` compares. Only the standard library is used, so the check
runs before anything else is imported or installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

STEPS = ("compile", "format", "lint", "breaking", "gen", "docs")
STAMP = Path(".cache") / "stamps" / "all"
# Tools that must still be on disk for a cached answer to be true.
TOOLS = ("tools/venv/bin/buf", "tools/bin/protoc-gen-go", "tools/bin/protoc-gen-go-grpc")


def _git(root: Path, *args: str) -> bytes | None:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def key(root: Path) -> str | None:
    """The tree's key, or None when it can't be trusted (no git, missing tools)."""
    listed = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    head = _git(root, "rev-parse", "HEAD")
    if listed is None or head is None:
        return None
    if not all((root / t).exists() for t in TOOLS):
        return None
    upstream = _git(root, "rev-parse", "--verify", "--quiet", "@{upstream}") or b""
    h = hashlib.sha256(head + upstream)
    for name in sorted(set(listed.split(b"\0")) - {b""}):
        h.update(name + b"\0")
        try:
            with open(root / os.fsdecode(name), "rb") as fh:
                h.update(hashlib.sha256(fh.read()).digest())
        except (FileNotFoundError, IsADirectoryError):
            h.update(b"<gone>")
    for extra in ("tools/installed.json",):
        try:
            h.update((root / extra).read_bytes())
        except FileNotFoundError:
            return None
    return h.hexdigest()


def is_fresh(root: Path) -> bool:
    current = key(root)
    try:
        return current is not None and (root / STAMP).read_text() == current
    except FileNotFoundError:
        return False


def record(root: Path) -> None:
    current = key(root)
    if current is None:
        return
    stamp = root / STAMP
    stamp.parent.mkdir(parents=True, exist_ok=True)
    tmp = stamp.with_name(f"all.{os.getpid()}.tmp")
    tmp.write_text(current)
    tmp.replace(stamp)
