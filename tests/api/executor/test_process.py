# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The claim's process ID (turboci.utils.executor.process_id)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from turboci.utils.executor import process_id

from tests.api.executor.conftest import PY


def test_the_process_id_is_host_pid_and_start_time() -> None:
    host, pid, started = process_id().rsplit(":", 2)
    assert host == socket.gethostname() and pid == str(os.getpid())
    assert 0 <= time.time() - int(started) < 24 * 3600
    assert process_id() == process_id()


def test_another_process_has_another_id() -> None:
    code = "from turboci.utils.executor import process_id; print(process_id())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, PYTHONPATH=str(PY)),
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() != process_id()
    assert out.stdout.strip().split(":")[1] != str(os.getpid())
