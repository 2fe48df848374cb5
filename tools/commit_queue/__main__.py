# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`python -m tools.commit_queue`: the presubmit, from the repo root with the venv's Python."""

from __future__ import annotations

import argparse
import sys

from core import errors
from tools.commit_queue import cli
from tools.engine.context import Context


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.commit_queue",
        description="The commit-queue presubmit: every check of the change, side by side.",
    )
    cli.add_arguments(parser)
    args = parser.parse_args()
    return errors.guarded(lambda: cli.presubmit(Context(), args), sys.stderr, parser.prog)


if __name__ == "__main__":
    sys.exit(main())
