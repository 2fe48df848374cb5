# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`compile`: write the shared compile's descriptor set for other tools.

grpcurl (`-protoset`), buf (`FILE#format=binpb`) and IDEs read it. It holds
every API file and what they import, with source info, in dependency order.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core import files
from tools.engine.context import Context
from tools.engine.task import Task
from tools.errors import BuildError

DEFAULT = Path(".cache") / "turboci.binpb"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help=f"where to write the FileDescriptorSet (default: {DEFAULT})",
    )


def write_descriptor_set(ctx: Context, output: Path) -> Path:
    """Compile (from the sources, not the descriptor cache) and write the set to `output`."""
    data = ctx.compiled(from_sources=True).descriptor_set_path().read_bytes()
    target = output if output.is_absolute() else Path.cwd() / output
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        files.write_atomic(target, data)
    except OSError as exc:
        raise BuildError(f"{output}: cannot write the descriptor set: {exc.strerror}") from None
    return target


def _run(ctx: Context, args: argparse.Namespace) -> int:
    output = args.output if args.output is not None else ctx.root / DEFAULT
    written = write_descriptor_set(ctx, output)
    ctx.say(f"wrote {ctx.layout.rel(written)} ({written.stat().st_size} bytes)")
    return 0


TASK = Task(
    name="compile",
    help="write the API's descriptor set (for grpcurl, buf, IDEs)",
    arguments=_arguments,
    run=_run,
)
