# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Whether a checkout holds the history a comparison needs, and how to fetch it.

A shallow clone (`git clone --depth N`, the default checkout of GitHub
Actions) cuts history off: a commit at its edge looks like a first commit
and merge bases beyond it cannot be found. `breaking` and the presubmit ask
here before they conclude that a change has nothing to compare with.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

FETCH_HINT = (
    "fetch the history (`fetch-depth: 0` in actions/checkout, "
    "or `git fetch --unshallow`, or `git fetch --deepen=N`)"
)


def is_shallow(root: Path) -> bool:
    """True when the checkout at `root` is a shallow clone."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--is-shallow-repository"],
            cwd=root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except FileNotFoundError:  # no git: the callers say so themselves
        return False
    return proc.returncode == 0 and proc.stdout.strip() == "true"
