"""Every task of build.py: its name, one-line help, arguments and function."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from tools.tasks.context import Context


@dataclass(frozen=True)
class Task:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Context, argparse.Namespace], int]
    needs_tools: bool = True


def _check_flag(what: str) -> Callable[[argparse.ArgumentParser], None]:
    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--check", action="store_true", help=what)

    return add


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def _format(ctx: Context, args: argparse.Namespace) -> int:
    from tools.tasks import fmt

    fmt.format_protos(ctx, check=args.check)
    return 0


def _lint_arguments(parser: argparse.ArgumentParser) -> None:
    from tools.tasks import lint

    lint.add_arguments(parser)


def _lint(ctx: Context, args: argparse.Namespace) -> int:
    from tools.tasks import lint

    return lint.lint_cached(ctx, args)


def _breaking_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--against",
        metavar="REF",
        help="compare with this commit instead of the merge base with upstream",
    )


def _breaking(ctx: Context, args: argparse.Namespace) -> int:
    from tools.tasks import breaking

    breaking.breaking(ctx, against=args.against)
    return 0


def _gen(ctx: Context, args: argparse.Namespace) -> int:
    from tools.tasks import gen

    gen.gen(ctx, check=args.check)
    return 0


def _docs(ctx: Context, args: argparse.Namespace) -> int:
    from tools.tasks import docs

    docs.docs(ctx, check=args.check)
    return 0


def _test(ctx: Context, args: argparse.Namespace) -> int:
    from tools.tasks import test

    return test.test(ctx)


def _clean_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tools",
        action="store_true",
        help="also remove the installed tools (tools/venv, tools/bin)",
    )


def _clean(ctx: Context, args: argparse.Namespace) -> int:
    from tools.tasks import clean

    clean.clean(ctx, tools=args.tools)
    return 0


def _all(ctx: Context, args: argparse.Namespace) -> int:
    from tools.tasks import everything

    return everything.build_all(ctx)


def _tools(ctx: Context, args: argparse.Namespace) -> int:
    from tools import deps
    from tools import paths

    pinned = deps.load(paths.DEPS)
    for section in ("python", "go_tools", "go_module"):
        for pin in getattr(pinned, section).values():
            ctx.say(f"{section:<9} {pin.name} {pin.version}")
    return 0


TASKS = (
    Task("all", "format, lint, breaking, gen and docs; one line per step", _no_arguments, _all),
    Task(
        "format",
        "format the protos with buf format",
        _check_flag("print the diff and exit 1 instead of rewriting"),
        _format,
    ),
    Task("lint", "buf lint plus the project's own rules (presubmit/)", _lint_arguments, _lint),
    Task(
        "breaking",
        "buf breaking against the merge base with upstream",
        _breaking_arguments,
        _breaking,
    ),
    Task(
        "gen",
        "generate the Go (go/) and Python (py/) stubs",
        _check_flag("list missing, extra and differing files and exit 1 instead of writing"),
        _gen,
    ),
    Task(
        "docs",
        "render the API reference into docs/",
        _check_flag("list stale pages and exit 1 instead of writing"),
        _docs,
    ),
    Task("test", "the whole test suite (what CI runs)", _no_arguments, _test),
    Task("tools", "install the pinned tools and list what DEPS pins", _no_arguments, _tools),
    Task(
        "clean", "remove caches and the google/ copies", _clean_arguments, _clean, needs_tools=False
    ),
)
_BY_NAME = {t.name: t for t in TASKS}


def names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def make_parser(task: str | None = None) -> argparse.ArgumentParser:
    """The CLI parser, with the arguments of `task` only.

    Some tasks' arguments come from packages in the venv (the lint suite's),
    so the others are not imported before they are needed.
    """
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build, check and test turboci-proto. "
        "The first run installs the tools pinned in DEPS into tools/.",
    )
    sub = parser.add_subparsers(dest="task", metavar="TASK")
    for each in TASKS:
        task_parser = sub.add_parser(each.name, help=each.help, description=each.help)
        if each.name == task:
            each.add_arguments(task_parser)
    return parser


def needs_tools(name: str) -> bool:
    return _BY_NAME[name].needs_tools


def run(args: argparse.Namespace) -> int:
    return _BY_NAME[args.task].run(Context(), args)
