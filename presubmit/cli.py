"""Command line of the lint suite: `python -m presubmit` and `./build.py lint`.

Exit status: 0 clean, 1 findings, 2 bad usage or a tool error (compile
errors print as `path:line:col: message` on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from presubmit import config as config_mod
from presubmit import fix
from presubmit import registry
from presubmit import runner
from presubmit.finding import Finding
from presubmit.reporters import FORMATS
from presubmit.rule import Rule

# The repo this package lives in: the default root.
REPO = Path(__file__).resolve().parent.parent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        help="lint the proto tree under DIR (its include root) instead of this repo",
    )
    parser.add_argument("--rules", metavar="ID,...", help="run only these rules")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format")
    parser.add_argument("--fix", action="store_true", help="rewrite Next ID lines, split imports")
    parser.add_argument(
        "--list-ignored",
        action="store_true",
        help="also show findings suppressed by turboci:lint:ignore comments",
    )
    parser.add_argument("--list-rules", action="store_true", help="print the rules and exit")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="lint only under these paths")


def _message(line: str) -> str:
    """Compiler-style lines (`path:line:...`) print as they are; others get `error: `."""
    head = line.split(" ", 1)[0].split(":")
    if len(head) >= 3 and head[1].isdigit():
        return line
    return line if line.startswith(("error: ", "... ")) else f"error: {line}"


class UsageError(Exception):
    pass


def _select(spec: str | None) -> list[Rule]:
    if not spec:
        return list(registry.RULES)
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [w for w in wanted if w not in registry.BY_ID]
    if unknown:
        raise UsageError(
            f"--rules: unknown rule {', '.join(unknown)} (known: {', '.join(registry.BY_ID)})"
        )
    return [r for r in registry.RULES if r.id in wanted]


def _paths(raw: Sequence[str], root: Path) -> list[str]:
    out: list[str] = []
    for p in raw:
        path = Path(p)
        full = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not full.exists() and not path.is_absolute():
            full = (root / path).resolve()  # a root-relative PATH also works
        if not full.exists():
            raise UsageError(f"{p}: no such file or directory")
        try:
            out.append(full.relative_to(root).as_posix())
        except ValueError:
            raise UsageError(f"{p}: not under the root {root}") from None
    return out


def run(
    args: argparse.Namespace,
    descriptor_set: Path | None = None,
    out: TextIO = sys.stdout,
    repo: Path = REPO,
    extra: Callable[[], Sequence[Finding]] = tuple,
) -> int:
    """Lint per `args`; print the report on `out` and problems on stderr; return the exit code.

    `descriptor_set`, when given, is a compile of the tree at `repo` (the
    checkout this package lives in unless the caller builds another one).
    `extra` gives findings of another linter (e.g. buf's, running meanwhile)
    to join the same report; it is called once the suite is done.
    """
    try:
        # build.py builds its own Namespace; tolerate options it leaves out.
        if getattr(args, "list_rules", False):
            for rule in registry.RULES:
                out.write(f"{rule.id}: {rule.purpose}\n")
            return 0
        if getattr(args, "root", None) is not None:
            root = Path(args.root).resolve()
            if not root.is_dir():
                kind = "not a directory" if root.exists() else "no such directory"
                raise UsageError(f"--root {args.root}: {kind}")
            # The shared compile is of the repo; another tree compiles on its own.
            if root != repo.resolve():
                descriptor_set = None
        else:
            root = repo
        config = config_mod.load(root, registry.ids())
        rules = _select(getattr(args, "rules", None))
        paths = _paths(getattr(args, "paths", None) or [], root)
        result = runner.lint(root, config, rules, paths, descriptor_set)
        if getattr(args, "fix", False):
            changed = fix.apply(root, [e for f in result.active for e in f.fixes])
            if changed:
                sys.stderr.write(f"fixed {len(changed)} file(s): {', '.join(changed)}\n")
                result = runner.lint(root, config, rules, paths)
    except (UsageError, config_mod.ConfigError) as exc:
        sys.stderr.write(_message(str(exc)) + "\n")
        return 2
    except runner.LintError as exc:
        for line in exc.lines:
            sys.stderr.write(_message(line) + "\n")
        return 2
    for warning in result.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    shown = result.findings if getattr(args, "list_ignored", False) else result.active
    others = list(extra())
    shown = sorted([*shown, *others], key=Finding.sort_key)
    FORMATS[getattr(args, "format", "text")](shown, out)
    return 1 if result.active or others else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m presubmit", description="turboci-proto's own lint rules."
    )
    add_arguments(parser)
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return run(args)
    except BrokenPipeError:
        # The reader (`| head`) left; that is not an error of the lint.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
