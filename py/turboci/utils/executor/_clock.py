# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Where an executor's time comes from, so tests move it by hand.

Heartbeats, the run timeout and the stop timeout are measured on a Clock.
The default is the monotonic clock; a test passes the orchestrator's
FakeClock (turboci.testing), which the executor polls every few
milliseconds of real time so that a test's `advance` is seen at once.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

# How often a clock that is not the default one is read while waiting.
POLL_SECONDS = 0.005


class Clock(Protocol):
    def now(self) -> float:
        """Seconds, on any fixed origin; only differences matter."""
        ...


class MonotonicClock:
    """The default: real time that never jumps back."""

    def now(self) -> float:
        return time.monotonic()


def wait_until(clock: Clock, when: float, event: threading.Event) -> bool:
    """Wait until the clock reads `when` or the event is set; True if the event is set."""
    real = isinstance(clock, MonotonicClock)
    while True:
        left = when - clock.now()
        if left <= 0:
            return event.is_set()
        if event.wait(left if real else min(left, POLL_SECONDS)):
            return True
