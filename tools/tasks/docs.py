# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`docs`: the API reference in docs/, rendered from the compiled descriptors.

docs/ is generated as a whole and never edited by hand: a run renders into
a temporary folder and swaps the folder in only when rendering succeeded.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from tools import stamps
from tools.engine.context import Context
from tools.engine.task import StepFn
from tools.engine.task import Task
from tools.engine.task import check_flag
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
    key = _key(compiled.key, target)
    if stamps.is_fresh(layout, "docs", key):
        return
    from tools.docs.render import render_docs  # jinja2: only when rendering

    pages = {rel: text.encode("utf-8") for rel, text in render_docs(compiled).items()}
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
    elif stale:
        _swap(target, pages)
        ctx.say(f"updated {len(stale)} doc page(s)")
    stamps.record(layout, "docs", _key(compiled.key, target))


def _key(compile_key: str, docs: Path) -> str:
    """The API, the renderer's code and templates, and the pages as they are now."""
    tools_dir = Path(__file__).resolve().parent.parent
    sources = [p for p in (tools_dir / "docs").rglob("*") if p.suffix in (".py", ".j2")]
    sources.append(Path(__file__).resolve())
    pages = [p for p in docs.rglob("*") if p.is_file()]
    return "\n".join(
        [compile_key, stamps.digest_files(sources, tools_dir), stamps.digest_files(pages, docs)]
    )


def _swap(target: Path, pages: dict[str, bytes]) -> None:
    parent = target.parent
    with tempfile.TemporaryDirectory(prefix=".docs-", dir=parent) as tmp:
        fresh = Path(tmp) / "new"
        for rel, data in pages.items():
            out = fresh / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        old = Path(tmp) / "old"
        if target.exists():
            target.rename(old)
        fresh.rename(target)
        shutil.rmtree(old, ignore_errors=True)


def _run(ctx: Context, args: argparse.Namespace) -> int:
    docs(ctx, check=args.check)
    return 0


def _step(ctx: Context) -> StepFn:
    del ctx
    return docs


TASK = Task(
    name="docs",
    help="render the API reference into docs/",
    arguments=check_flag("list stale pages and exit 1 instead of writing"),
    run=_run,
    step=_step,
)
