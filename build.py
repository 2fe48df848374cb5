#!/bin/sh
# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

""":"
# Shell prelude: once the tools venv exists, run straight in it (a second
# interpreter start, or a version-manager shim, costs more than a cached run).
venv_python="$(dirname "$0")/tools/venv/bin/python"
if [ -x "$venv_python" ]; then exec "$venv_python" "$0" "$@"; fi
exec python3 "$0" "$@"
"""

"""The one entry point of turboci-proto: `./build.py <task>`; see --help."""

import sys  # noqa: E402  (after the shell prelude, which must come first)

if sys.version_info < (3, 11):  # noqa: UP036  (this check is for older Pythons)
    found = ".".join(map(str, sys.version_info[:3]))
    sys.stderr.write(
        f"error: Python {found} is too old: install Python 3.11 or newer "
        "and run ./build.py with it\n"
    )
    sys.exit(2)

from core.console import utf8_output  # noqa: E402  (the version check must run first)
from tools.cli import main  # noqa: E402  (the version check must run first)

if __name__ == "__main__":
    utf8_output()
    sys.exit(main(sys.argv[1:]))
