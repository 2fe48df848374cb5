# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`turboci-lint [--root DIR] [lint options] FILE...`: the lint suite as a hook.

The same command line as `python -m presubmit`, run on the repository the
hook is in: the tree linted is the current folder (pre-commit runs hooks at
the top of the work tree) unless --root says otherwise, its presubmit.toml
applies, and the FILEs pre-commit hands over are what is linted. A FILE
the config skips is no error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from core.console import utf8_output
from presubmit import cli


def main(argv: Sequence[str] | None = None) -> int:
    utf8_output()
    return cli.main(argv, prog="turboci-lint", hook=True)


if __name__ == "__main__":
    sys.exit(main())
