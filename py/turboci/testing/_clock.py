# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Where the orchestrator's time comes from, so tests move it by hand."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class SystemClock:
    """The wall clock, for the standalone server."""

    def now(self) -> float:
        return time.time()


class FakeClock:
    """A clock that moves only when told, so heartbeats, timeouts and retry
    delays run out without sleeping. Starts at `start` (seconds since the epoch)."""

    def __init__(self, start: float = 1_772_445_600.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, by: timedelta | float) -> float:
        """Move the clock forward; returns the new time."""
        seconds = by.total_seconds() if isinstance(by, timedelta) else float(by)
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        with self._lock:
            self._now += seconds
            return self._now

    def advance_to(self, when: float) -> float:
        """Move the clock forward to `when` (seconds since the epoch); a time
        already passed leaves it where it is. Returns the new time."""
        with self._lock:
            self._now = max(self._now, float(when))
            return self._now
