# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`python -m tools.queue`: the presubmit, from the repo root with the tools venv's Python."""

from __future__ import annotations

import argparse
import sys

from tools.engine.context import Context
from tools.errors import BuildError
from tools.errors import format_error
from tools.queue import cli


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.queue",
        description="The commit-queue presubmit: every check of the change, side by side.",
    )
    cli.add_arguments(parser)
    args = parser.parse_args()
    try:
        return cli.presubmit(Context(), args)
    except BuildError as exc:
        print(format_error(exc.message), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
