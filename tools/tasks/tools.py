# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`tools`: install what DEPS pins (build.py does so before any task) and list it."""

from __future__ import annotations

import argparse

from tools import deps
from tools.engine.context import Context
from tools.engine.task import Task


def _run(ctx: Context, args: argparse.Namespace) -> int:
    del args
    pinned = deps.load(ctx.layout.deps)
    for section in deps.SECTIONS:
        for pin in getattr(pinned, section).values():
            ctx.say(f"{section:<10} {pin.name} {pin.version}")
    return 0


TASK = Task(name="tools", help="install the pinned tools and list what DEPS pins", run=_run)
