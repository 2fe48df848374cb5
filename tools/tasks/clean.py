"""`clean`: remove what the build made; the tracked tree is left alone."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tools import paths
from tools import thirdparty
from tools.tasks.context import Context


def _make_writable(tree: Path) -> None:
    for folder, _, _ in os.walk(tree):
        os.chmod(folder, 0o755)


def clean(ctx: Context, tools: bool = False) -> None:
    """Delete caches and the google/ copies; with `tools`, the installed tools too."""
    doomed = [ctx.root / ".cache"]
    if tools:
        doomed += [paths.VENV, paths.GOBIN, paths.INSTALLED, paths.TOOL_CACHE]
    for path in doomed:
        if path.is_dir():
            _make_writable(path)  # Go keeps its module cache read-only
            shutil.rmtree(path)
            ctx.say(f"removed {path.relative_to(ctx.root)}/")
        elif path.exists():
            path.unlink()
            ctx.say(f"removed {path.relative_to(ctx.root)}")
    for rel in thirdparty.WANTED:
        copy = ctx.root / rel
        if copy.exists():
            copy.unlink()
            ctx.say(f"removed {rel}")
    for cache in ctx.root.rglob("__pycache__"):
        if paths.VENV not in cache.parents:
            shutil.rmtree(cache, ignore_errors=True)
