# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`docs`: the API reference in docs/, rendered from the compiled descriptors,
and the guides (guides/*.md with the programs they show).

docs/ is generated as a whole and never edited by hand: a run renders every
page first, then swaps the changed ones in as one transaction (with gen's,
under `all`), so docs/ is wholly old or wholly new.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tools import stamps
from tools.docs import guides
from tools.engine import transaction
from tools.engine.context import Context
from tools.engine.task import StepFn
from tools.engine.task import Task
from tools.engine.task import check_flag
from tools.engine.task import unless_check
from tools.errors import BuildError


def _current(docs: Path) -> dict[str, bytes]:
    if not docs.is_dir():
        return {}
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()}


def docs(ctx: Context, check: bool = False) -> None:
    """Render docs/, or with `check` list stale pages and fail."""
    compiled = ctx.compiled()
    layout = ctx.layout
    target = layout.docs
    key = _key(compiled.key, target, ctx.root)
    if ctx.is_fresh("docs", key):
        return
    # The pages are committed: rendered from protoc's descriptors, never the cache's.
    compiled = ctx.compiled(from_sources=True)
    from tools.docs.render import render_docs  # jinja2: only when rendering

    rendered = render_docs(compiled, guides=guides.render_guides(ctx.root))
    pages = {rel: text.encode("utf-8") for rel, text in rendered.items()}
    name = layout.rel(target)
    have = _current(target)
    stale = sorted(
        [f"{name}/{p}: missing" for p in set(pages) - set(have)]
        + [f"{name}/{p}: stale (not rendered any more)" for p in set(have) - set(pages)]
        + [f"{name}/{p}: differs" for p in set(pages) & set(have) if pages[p] != have[p]]
    )
    if check:
        if stale:
            for line in stale:
                ctx.say(line)
            raise BuildError(f"{len(stale)} doc page(s) out of date: run ./build.py docs")
        stamps.record(layout, "docs", key)  # nothing was written: the key still holds
        return
    with transaction.writing(layout, "docs", ctx.txn) as txn:
        for p in sorted(pages):
            if pages[p] != have.get(p):
                txn.put_bytes(f"{name}/{p}", pages[p])
        for p in sorted(set(have) - set(pages)):
            txn.delete(f"{name}/{p}")
        txn.on_commit(lambda: stamps.record(layout, "docs", _key(compiled.key, target, ctx.root)))
    if stale:
        ctx.say(f"updated {len(stale)} doc page(s)")


def _key(compile_key: str, docs: Path, root: Path) -> str:
    """The API, the guides and their programs, the renderer's code and
    templates, and the pages as they are now."""
    tools_dir = Path(__file__).resolve().parent.parent
    sources = [p for p in (tools_dir / "docs").rglob("*") if p.suffix in (".py", ".j2")]
    sources.append(Path(__file__).resolve())
    pages = [p for p in docs.rglob("*") if p.is_file()]
    return "\n".join(
        [
            compile_key,
            stamps.digest_files(sources, tools_dir),
            stamps.digest_files(guides.input_files(root), root),
            stamps.digest_files(pages, docs),
        ]
    )


def _run(ctx: Context, args: argparse.Namespace) -> int:
    docs(ctx, check=args.check)
    return 0


def _step(ctx: Context) -> StepFn:
    del ctx
    return docs


TASK = Task(
    name="docs",
    writes=unless_check,
    help="render the API reference into docs/",
    arguments=check_flag("list stale pages and exit 1 instead of writing"),
    run=_run,
    step=_step,
)
