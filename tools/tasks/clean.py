"""`clean`: remove what the build made; the tracked tree is left alone."""

from __future__ import annotations

import shutil

from tools import paths
from tools import thirdparty
from tools.tasks.context import Context


def clean(ctx: Context, tools: bool = False) -> None:
    """Delete caches and the google/ copies; with `tools`, the installed tools too."""
    doomed = [ctx.root / ".cache"]
    if tools:
        doomed += [paths.VENV, paths.GOBIN, paths.INSTALLED]
    for path in doomed:
        if path.is_dir():
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
