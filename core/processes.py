# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Is a process alive? Folders named after their writer's pid are kept while it runs."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """True if a process has this id (ours, or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OverflowError:  # no process has such an id
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
