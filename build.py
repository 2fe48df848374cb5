#!/usr/bin/env python3
"""The one entry point of turboci-proto: `./build.py <task>`; see --help."""

import sys

if sys.version_info < (3, 11):
    found = ".".join(map(str, sys.version_info[:3]))
    sys.stderr.write(
        f"error: Python {found} is too old: install Python 3.11 or newer "
        "and run ./build.py with it\n"
    )
    sys.exit(2)

from tools.cli import main  # noqa: E402  (the version check must run first)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
