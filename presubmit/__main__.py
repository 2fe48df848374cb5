# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`python -m presubmit ...`: the lint suite without build.py."""

import sys

from core.console import utf8_output
from presubmit.cli import main

if __name__ == "__main__":
    utf8_output()
    sys.exit(main(sys.argv[1:]))
