"""`lint`: buf lint (STANDARD and COMMENTS) and then the project's own rules."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from presubmit.finding import Finding
from tools import paths
from tools import stamps
from tools.errors import BuildError
from tools.run import start
from tools.tasks.context import Context


def start_buf_lint(ctx: Context) -> Callable[[], list[Finding]]:
    """Start buf lint over the shared compile (configured by buf.yaml) and
    return what waits for its findings, as findings of the project's report
    (so every --format carries them). buf runs while the project's rules do.
    """
    compiled = ctx.compiled()
    cmd = [
        str(paths.venv_bin("buf")),
        "lint",
        f"{compiled.descriptor_set}#format=binpb",
        "--config",
        str(ctx.root / "buf.yaml"),
        "--error-format",
        "json",
    ]
    proc = start(cmd, cwd=ctx.root)

    def findings() -> list[Finding]:
        stdout, stderr = proc.communicate()
        if proc.returncode not in (0, 100):  # 100 is buf's status for "findings"
            raise BuildError(f"buf lint failed: {(stdout + stderr).strip()}", exit_code=2)
        return [_finding(line) for line in stdout.splitlines() if line.strip()]

    return findings


def _finding(line: str) -> Finding:
    """One line of buf's JSON error format as a finding."""
    try:
        item = json.loads(line)
        return Finding(
            path=item["path"],
            line=int(item.get("start_line") or 1),
            column=int(item.get("start_column") or 1),
            rule=item["type"],
            message=item["message"],
            element=item["path"],
        )
    except (ValueError, KeyError, TypeError):
        raise BuildError(f"buf lint printed something unexpected: {line}", 2) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from presubmit import cli

    cli.add_arguments(parser)


def lint(ctx: Context, args: argparse.Namespace) -> int:
    """Run buf lint (this repo only) and the project's rules; 0, 1 or 2."""
    foreign = getattr(args, "root", None) is not None
    buf_findings: Callable[[], list[Finding]] = list
    if not foreign:
        _compile(ctx)
        if not getattr(args, "fix", False):
            buf_findings = start_buf_lint(ctx)
    from presubmit import cli  # after buf started: the import takes a while

    descriptor_set = None if foreign else ctx.compiled().descriptor_set
    status: int = cli.run(
        args, descriptor_set=descriptor_set, out=ctx.out, repo=ctx.root, extra=buf_findings
    )
    return status


def _compile(ctx: Context) -> None:
    try:
        ctx.compiled()
    except BuildError as exc:
        exc.exit_code = 2  # a tree that does not compile is a tool error
        raise


def _cache_key(ctx: Context) -> str:
    """Everything a plain lint of this repo reads: the API, the rules, the config,
    the hand-written Python and go.mod, and the tool versions."""
    from tools import deps as deps_mod
    from tools import toolchain

    inputs = stamps.tracked_files(
        ctx.root, "*.py", "buf.yaml", "presubmit.toml", "go/go.mod", "DEPS"
    )
    return "\n".join(
        [
            ctx.compiled().key,
            toolchain.versions_key(deps_mod.load(ctx.root / "DEPS")),
            stamps.digest_files(inputs, ctx.root),
        ]
    )


def _is_plain(args: argparse.Namespace) -> bool:
    """A lint whose answer is "clean" or not, with nothing asked of the output."""
    plain = default_args()
    return all(getattr(args, k, None) == v for k, v in vars(plain).items())


def lint_cached(ctx: Context, args: argparse.Namespace | None = None) -> int:
    """lint(), skipped when a plain run already passed on exactly these inputs.

    `args` None means a plain run; the lint suite is then imported only if
    it has to run (its import alone costs more than the whole check).
    """
    if args is not None and not _is_plain(args):
        return lint(ctx, args)
    _compile(ctx)
    key = _cache_key(ctx)
    cache = ctx.root / ".cache"
    if stamps.is_fresh("lint", key, cache):
        return 0
    status = lint(ctx, args or default_args())
    if status == 0:
        stamps.record("lint", key, cache)
    return status


def default_args() -> argparse.Namespace:
    """The arguments of a plain `./build.py lint`, for callers like `all`."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args([])
