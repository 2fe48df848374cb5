# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Command line of the lint suite: `python -m presubmit` and `./build.py lint`.

This module only parses arguments into LintOptions and prints; the work is
runner.lint(). Exit status: 0 clean, 1 findings, 2 bad usage or a tree that
does not compile (compile errors print as `path:line:col: message` on stderr).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import TextIO

from core import errors
from core import tree as worktree
from core.error_lines import error_line
from core.error_lines import relocated
from presubmit import registry
from presubmit import runner
from presubmit.finding import Finding
from presubmit.options import LintOptions
from presubmit.reporters import FORMATS


def add_arguments(parser: argparse.ArgumentParser, default_root: str = "this repo") -> None:
    parser.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        help=f"lint the proto tree under DIR (its include root) instead of {default_root}; "
        "runs the project's rules only (the portable ones unless DIR has a presubmit.toml)",
    )
    parser.add_argument(
        "--rules", metavar="ID,...", help="run exactly these rules, whatever the config turns on"
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="rewrite Next ID lines, insert license headers, split imports",
    )
    parser.add_argument(
        "--list-ignored",
        action="store_true",
        help="also show findings suppressed by turboci:lint:ignore comments",
    )
    parser.add_argument("--list-rules", action="store_true", help="print the rules and exit")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="lint only under these paths")


def relative_paths(raw: Sequence[str], root: Path) -> tuple[str, ...]:
    """PATH arguments (cwd- or root-relative) as root-relative paths; raises runner.LintError.

    A PATH that is itself a symlink is named as given, not by its target:
    whether it may be read or written through is for the reader and the
    writer to say (a writer refuses a link out of the root).
    """

    def located(path: Path) -> Path:
        # The folders resolved (the root may be reached through a link), the name kept.
        return path.parent.resolve() / path.name

    out: list[str] = []
    for p in raw:
        path = Path(p)
        full = located(path if path.is_absolute() else Path.cwd() / path)
        if not (full.exists() or full.is_symlink()) and not path.is_absolute():
            full = located(root / path)  # a root-relative PATH also works
        if not (full.exists() or full.is_symlink()):
            raise runner.LintError([f"{p}: no such file or directory"])
        if full.name in ("", ".", ".."):
            full = full.resolve()
        try:
            out.append(full.relative_to(root.resolve()).as_posix())
        except ValueError:
            raise runner.LintError([f"{p}: not under the root {root}"]) from None
    return tuple(out)


def options_from(
    args: argparse.Namespace, default_root: Path | None = None, allow_empty: bool = False
) -> LintOptions:
    """The options that parsed arguments ask for (raises runner.LintError).

    `default_root` is the tree linted without --root (this repo if None)."""
    rules = tuple(s.strip() for s in (args.rules or "").split(",") if s.strip())
    chosen = args.root if args.root is not None else default_root
    root = worktree.resolve_root(chosen)
    return LintOptions(
        root=chosen,
        rules=rules,
        paths=relative_paths(args.paths, root),
        fix=args.fix,
        list_ignored=args.list_ignored,
        allow_empty=allow_empty,
    )


def seen_from(result: runner.Result, prefix: str, root: Path | None = None) -> runner.Result:
    """`result` with its paths relative to `prefix`'s parent instead of the root."""
    if prefix in ("", "."):
        return result

    def moved(path: str) -> str:
        return f"{prefix}/{path}"

    return dataclasses.replace(
        result,
        findings=[dataclasses.replace(f, path=moved(f.path)) for f in result.findings],
        fixed=[moved(f) for f in result.fixed],
        errors=[relocated(line, prefix, root) for line in result.errors],
    )


def list_rules(out: TextIO) -> None:
    for rule in registry.all_rules():
        spec = rule.spec
        flags = [spec.scope.value, "on" if spec.default else "off"]
        if spec.portable:
            flags.append("portable")
        out.write(f"{spec.id}: {spec.purpose} ({', '.join(flags)})\n")
        for setting in spec.settings:
            needed = "required; " if setting.key in spec.requires else ""
            out.write(f"    {needed}{setting.describe()}\n")


def print_report(
    result: runner.Result,
    fmt: str,
    list_ignored: bool,
    out: TextIO,
    err: TextIO,
    others: Sequence[Finding] = (),
) -> int:
    """Print `result` (and findings of another linter) in `fmt`; return the exit code:
    2 when an input could not be linted (its line comes after the findings)."""
    if result.fixed:
        err.write(f"fixed {len(result.fixed)} file(s): {', '.join(result.fixed)}\n")
    for warning in result.warnings:
        err.write(f"warning: {warning}\n")
    shown = result.findings if list_ignored else result.active
    FORMATS[fmt](sorted([*shown, *others], key=Finding.sort_key), out)
    out.flush()
    for line in result.errors:
        err.write(error_line(line) + "\n")
    if result.errors:
        return 2
    return 1 if result.active or others else 0


def _say(err: TextIO, line: str) -> None:
    err.write(line + "\n")
    err.flush()  # seen while the run waits, not after


def main(
    argv: Sequence[str] | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    *,
    prog: str = "python -m presubmit",
    hook: bool = False,
) -> int:
    """The lint suite's command line. As a `hook` (turboci-lint), the tree
    linted by default is the current folder, and files the config skips are
    no error."""
    parser = argparse.ArgumentParser(prog=prog, description="turboci-proto's own lint rules.")
    add_arguments(parser, "the current folder" if hook else "this repo")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.list_rules:
        list_rules(out)
        return 0
    # A hook reports paths as seen from where it runs (the top of the work
    # tree), not from the root it lints, so that they open from there.
    seen: dict[str, Any] = {"prefix": "", "root": None}

    def body() -> int:
        default_root = Path.cwd() if hook else None
        options = options_from(args, default_root, allow_empty=hook)
        if hook:
            seen["root"] = runner.resolve_root(options)
            seen["prefix"] = os.path.relpath(seen["root"], Path.cwd())
        # What the printed report depends on besides the findings.
        form = "\0".join([args.format, str(args.list_ignored), seen["prefix"]])
        options = dataclasses.replace(options, report_form=form)
        result = runner.lint(
            options, say=lambda line: _say(err, line), task=f"{prog} --fix", defer_writes=True
        )
        if result.replay is not None:
            text, code = result.replay
            out.write(text)
            out.flush()
            result.store()
            return code
        shown = seen_from(result, seen["prefix"], seen["root"])
        report = io.StringIO()
        code = print_report(shown, args.format, args.list_ignored, report, err)
        out.write(report.getvalue())
        out.flush()
        if result.keep_report is not None and not (result.errors or result.fixed):
            result.keep_report(report.getvalue(), code)
        # The report is out before the caches are written: a reader of the
        # output does not wait for the disk.
        result.store()
        return code

    return errors.guarded(
        body, err, prog, lambda line: relocated(line, seen["prefix"], seen["root"])
    )
