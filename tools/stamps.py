"""Remembers which steps already succeeded on exactly these inputs.

A step's key hashes the content of everything it reads and the versions of
the tools it runs (never timestamps), so a rerun with nothing changed skips
the work and any change to an input or a pin runs the step again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from tools import paths


def digest_files(files: Iterable[Path], root: Path = paths.REPO, extra: str = "") -> str:
    """Hash of the files' root-relative paths and contents (missing ones count too)."""
    h = hashlib.sha256(extra.encode())
    for f in sorted(files):
        rel = f.relative_to(root).as_posix() if f.is_absolute() else f.as_posix()
        h.update(rel.encode() + b"\0")
        try:
            h.update(hashlib.sha256(f.read_bytes()).digest())
        except FileNotFoundError:
            h.update(b"<missing>")
    return h.hexdigest()


def _stamp(step: str, cache: Path) -> Path:
    return cache / "stamps" / step


def is_fresh(step: str, key: str, cache: Path = paths.CACHE) -> bool:
    try:
        return _stamp(step, cache).read_text(encoding="utf-8") == key
    except FileNotFoundError:
        return False


def record(step: str, key: str, cache: Path = paths.CACHE) -> None:
    stamp = _stamp(step, cache)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    tmp = stamp.with_name(f"{step}.{os.getpid()}.tmp")
    tmp.write_text(key, encoding="utf-8")
    tmp.replace(stamp)


def tracked_files(root: Path, *patterns: str) -> list[Path]:
    """Tracked and untracked-but-not-ignored files matching git pathspecs."""
    import subprocess

    proc = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *patterns],
        cwd=root,
        capture_output=True,
    )
    if proc.returncode != 0:
        # Not a git checkout: no key can be trusted, so the step always runs.
        return [root / f"<no git: {os.getpid()} {id(proc)}>"]
    names = {n for n in proc.stdout.decode("utf-8", "replace").split("\0") if n}
    return [root / n for n in sorted(names)]


def code_digest(*modules: str) -> str:
    """Hash of the tooling's own source, so a changed step reruns on old inputs."""
    here = Path(__file__).resolve().parent
    files = [here.parent / (m.replace(".", "/") + ".py") for m in modules]
    return digest_files(files, here.parent)
