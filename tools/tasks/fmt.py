"""`format`: buf format over the API protos, after a compile.

buf 1.75 rewrites files that do not even parse and exits 0, so the shared
compile runs first and its errors are what the user sees.
"""

from __future__ import annotations

from pathlib import Path

from tools import paths
from tools import stamps
from tools.errors import BuildError
from tools.run import output_of
from tools.run import run
from tools.tasks.context import Context


def _buf() -> str:
    return str(paths.venv_bin("buf"))


def format_protos(ctx: Context, check: bool = False) -> bool:
    """Format the API protos in place, or with `check` report a diff and fail.

    Returns True when files were rewritten (callers then recompile).
    """
    compiled = ctx.compiled()  # syntax errors surface here, before buf touches a file
    key = "\n".join(
        [
            compiled.key,
            stamps.digest_files([ctx.root / "DEPS", ctx.root / "buf.yaml"], ctx.root),
            stamps.code_digest("tools.tasks.fmt"),
        ]
    )
    cache = ctx.root / ".cache"
    if stamps.is_fresh("format", key, cache):
        return False  # these exact sources were formatted already
    targets = [a for top in paths.PROTO_ROOTS for a in ("--path", top)]
    if check:
        proc = run([_buf(), "format", ".", *targets, "--diff", "--exit-code"], cwd=ctx.root)
        if proc.returncode == 0:
            stamps.record("format", key, cache)
            return False
        if proc.stdout.strip():
            ctx.say(proc.stdout.rstrip("\n"))
            raise BuildError("protos are not formatted: run ./build.py format")
        raise BuildError(f"buf format failed: {output_of(proc)}")
    before = {p: p.read_bytes() for p in _protos(ctx)}
    proc = run([_buf(), "format", ".", *targets, "--write"], cwd=ctx.root)
    if proc.returncode != 0:
        raise BuildError(f"buf format failed: {output_of(proc)}")
    changed = [p for p, data in before.items() if p.read_bytes() != data]
    for p in changed:
        ctx.say(f"formatted {p.relative_to(ctx.root).as_posix()}")
    if changed:
        ctx.forget_compile()
        key = "\n".join([ctx.compiled().key, key.split("\n", 1)[1]])
    stamps.record("format", key, cache)
    return bool(changed)


def _protos(ctx: Context) -> list[Path]:
    return [p for top in paths.PROTO_ROOTS for p in (ctx.root / top).rglob("*.proto")]
