# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The claim an executor's process makes on the attempts it runs."""

from __future__ import annotations

import os
import socket
import time

_STARTED = int(time.time())
_cached: tuple[int, str] | None = None


def process_id() -> str:
    """ "<host>:<pid>:<unix start time>", unique to this process (see
    StageAttemptWrite.process_id). The start time is when this module was
    first imported; a forked child gets its own pid and so its own ID."""
    global _cached
    pid = os.getpid()
    if _cached is None or _cached[0] != pid:
        started = _STARTED if _cached is None else int(time.time())
        _cached = (pid, f"{socket.gethostname()}:{pid}:{started}")
    return _cached[1]
