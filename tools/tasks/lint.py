# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`lint`: buf lint (STANDARD and COMMENTS) and the project's own rules, in one report.

For this repo, buf lint reads the shared compile and runs while the
project's rules do. For a foreign tree (`--root DIR`) only the project's
rules run, and buf lint with DIR's own buf.yaml when `--buf` asks for it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import UserError
from core.layout import Layout
from tools import buf_config
from tools import env as env_mod
from tools import stamps
from tools.engine.context import Context
from tools.engine.task import StepFn
from tools.engine.task import Task
from tools.errors import BuildError
from tools.run import start

if TYPE_CHECKING:
    from core.cached_compile import Compiled
    from presubmit.finding import Finding


def start_buf_lint(ctx: Context) -> Callable[[], list[Finding]]:
    """Start buf lint over the shared compile (configured by buf.yaml); return
    what waits for its findings, as findings of the project's report."""
    compiled = ctx.compiled()
    buf_config.require_regular(ctx.layout)
    cmd = [
        str(ctx.layout.venv_bin("buf")),
        "lint",
        f"{compiled.descriptor_set_path()}#format=binpb",
        "--config",
        str(ctx.layout.buf_yaml),
        "--error-format",
        "json",
    ]
    return _buf_findings(start(cmd, cwd=ctx.root))


def start_buf_lint_tree(ctx: Context, root: Path) -> Callable[[], list[Finding]]:
    """Start buf lint over a foreign tree with its own buf.yaml (buf reads the
    sources); its cache stays in this repo's .cache/."""
    cmd = [str(ctx.layout.venv_bin("buf")), "lint", ".", "--error-format", "json"]
    env = dict(env_mod.tool_env(), BUF_CACHE_DIR=str(ctx.layout.cache / "buf"))
    return _buf_findings(start(cmd, cwd=root, env=env))


def _buf_findings(proc: subprocess.Popen[str]) -> Callable[[], list[Finding]]:
    def findings() -> list[Finding]:
        stdout, stderr = proc.communicate()
        if proc.returncode not in (0, 100):  # 100 is buf's status for "findings"
            raise BuildError(f"buf lint failed: {(stdout + stderr).strip()}", exit_code=2)
        return [_finding(line) for line in stdout.splitlines() if line.strip()]

    return findings


def _finding(line: str) -> Finding:
    """One line of buf's JSON error format as a finding."""
    from presubmit.finding import Finding

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


def _arguments(parser: argparse.ArgumentParser) -> None:
    from presubmit import cli

    cli.add_arguments(parser)
    parser.add_argument(
        "--buf",
        action="store_true",
        help="with --root: also run buf lint, configured by DIR's buf.yaml "
        "(without --buf a foreign tree gets the project's rules only)",
    )


def lint(ctx: Context, args: argparse.Namespace) -> int:
    """Run buf lint (this repo only) and the project's rules; 0, 1 or 2."""
    from presubmit import cli
    from presubmit import runner

    if args.list_rules:
        cli.list_rules(ctx.out)
        return 0
    options = cli.options_from(args, default_root=ctx.root)
    foreign = options.root is not None and options.root.resolve() != ctx.root.resolve()
    buf_findings: Callable[[], list[Finding]] = list
    compiled = None
    if not foreign and _inputs_listed(ctx):
        # --fix rewrites sources from the descriptors: those protoc made.
        compiled = _compile(ctx, from_sources=args.fix)
        if not args.fix:
            buf_findings = start_buf_lint(ctx)
    elif args.buf and not args.fix:
        tree = Path(options.root or ctx.root).resolve()
        if not (tree / "buf.yaml").is_file():
            raise BuildError(f"--buf: {tree} has no buf.yaml for buf lint to follow", 2)
        buf_config.require_regular(Layout(tree))
        buf_findings = start_buf_lint_tree(ctx, tree)
    try:
        result = runner.lint(options, compiled=compiled)
    except UserError:
        buf_findings()  # waited for, so no buf process outlives the run
        raise
    return cli.print_report(
        result, args.format, args.list_ignored, ctx.out, sys.stderr, buf_findings()
    )


def _inputs_listed(ctx: Context) -> bool:
    """Can every API proto be read? If not, there is no shared compile (nor buf
    lint): the suite lints the others on its own and names the rest (exit 2)."""
    from core import inputs

    try:
        inputs.find_protos(ctx.root, ctx.layout.proto_roots)
    except inputs.InputError:
        return False
    return True


def _compile(ctx: Context, from_sources: bool = False) -> Compiled:
    try:
        return ctx.compiled(from_sources)
    except BuildError as exc:
        exc.exit_code = 2  # a tree that does not compile is a tool error
        raise


def _cache_key(ctx: Context) -> str:
    """Everything a plain lint of this repo reads: the API, the rules, the config,
    the hand-written Python and go.mod, and the tool versions."""
    from tools import deps as deps_mod
    from tools import toolchain

    layout = ctx.layout
    inputs = stamps.tracked_files(
        ctx.root, "*.py", "buf.yaml", "presubmit.toml", "go/go.mod", "DEPS"
    )
    return "\n".join(
        [
            ctx.compiled().key,
            toolchain.versions_key(deps_mod.load(layout.deps)),
            stamps.digest_files(inputs, ctx.root),
        ]
    )


def _is_plain(args: argparse.Namespace) -> bool:
    """A lint whose answer is "clean" or not, with nothing asked of the output."""
    plain = default_args()
    return all(getattr(args, k, None) == v for k, v in vars(plain).items())


def lint_cached(ctx: Context, args: argparse.Namespace | None = None) -> int:
    """lint(), skipped when a plain run already passed on exactly these inputs."""
    if (args is not None and not _is_plain(args)) or not _inputs_listed(ctx):
        return lint(ctx, args or default_args())
    _compile(ctx)
    key = _cache_key(ctx)
    if ctx.is_fresh("lint", key):
        return 0
    status = lint(ctx, args or default_args())
    if status == 0:
        stamps.record(ctx.layout, "lint", key)
    return status


def default_args() -> argparse.Namespace:
    """The arguments of a plain `./build.py lint`, for callers like `all`."""
    parser = argparse.ArgumentParser()
    _arguments(parser)
    return parser.parse_args([])


def _step(ctx: Context) -> StepFn:
    del ctx

    def step(c: Context) -> None:
        status = lint_cached(c)
        if status:
            raise BuildError("lint found problems", exit_code=status)

    return step


def _writes(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "fix", False))


TASK = Task(
    name="lint",
    writes=_writes,
    help="buf lint plus the project's own rules (presubmit/)",
    arguments=_arguments,
    run=lint_cached,
    step=_step,
)
