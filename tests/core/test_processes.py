# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""core.processes: whether a pid names a running process."""

from __future__ import annotations

import os
import subprocess
import sys

from core import processes


def test_our_own_process_is_alive() -> None:
    assert processes.alive(os.getpid())


def test_a_finished_process_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: its pid names no process now
    assert not processes.alive(child.pid)


def test_a_pid_too_large_for_the_os_is_not_alive() -> None:
    assert not processes.alive(2**70)
