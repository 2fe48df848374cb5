"""`python -m presubmit ...`: the lint suite without build.py."""

import sys

from presubmit.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
