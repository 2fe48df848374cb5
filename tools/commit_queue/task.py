# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`./build.py presubmit`: what the commit queue runs; every check of the change side by side.

The gate runs the other tasks, so it is declared here, beside its work (also
`python -m tools.commit_queue`), not among them: tools/tasks never imports the gate.
"""

from __future__ import annotations

import argparse

from tools.engine.context import Context
from tools.engine.task import Task


def _arguments(parser: argparse.ArgumentParser) -> None:
    # Imported when the task is chosen: listing the tasks stays cheap.
    from tools.commit_queue import cli

    cli.add_arguments(parser)


def _run(ctx: Context, args: argparse.Namespace) -> int:
    from tools.commit_queue import cli

    return cli.presubmit(ctx, args)


TASK = Task(
    name="presubmit",
    help="the commit queue's gate: every check of a change, in parallel",
    arguments=_arguments,
    run=_run,
)
