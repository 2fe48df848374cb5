# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`python -m turboci.testing serve`: prints its address, serves, stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import grpc
import pytest
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest

from tests.testing.conftest import PY
from tests.testing.support import REALM
from tests.testing.support import check
from turboci.graph.orchestrator.v1 import (
    turbo_ci_orchestrator_service_pb2_grpc as orchestrator_grpc,
)

# Slow: each test starts `python -m turboci.testing` in a process of its own.
pytestmark = pytest.mark.slow


def _serve(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(PY))
    return subprocess.Popen(
        [sys.executable, "-m", "turboci.testing", "serve", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_its_address_serves_and_exits_cleanly(sig: signal.Signals) -> None:
    proc = _serve("--port", "0")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("turboci reference orchestrator listening on 127.0.0.1:"), line
        address = line.rsplit(" ", 1)[1].strip()
        with grpc.insecure_channel(address) as channel:
            stub = orchestrator_grpc.TurboCIOrchestratorStub(channel)
            answer = stub.CreateWorkPlan(
                CreateWorkPlanRequest(workflow="w", realm=REALM, checks=[check("a")]), timeout=10
            )
            assert answer.revision.number == 1
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_a_bad_port_is_one_line_and_exit_2() -> None:
    proc = _serve("--port", "70000")
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 2
    assert "--port 70000" in err and "Traceback" not in err


def test_a_port_in_use_is_one_line_and_exit_1() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _serve("--port", str(port))
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 1
    assert err.strip().splitlines() == [
        f"cannot listen on 127.0.0.1:{port}: the address is in use or not this machine's; "
        "pick another --port (0 picks a free one)"
    ]


def test_a_type_url_given_twice_is_one_line_and_exit_2() -> None:
    proc = _serve("--port", "0", "--executor", "t=a:1", "--executor", "t=b:1")
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 2
    assert "--executor 't=b:1': t is already served by another executor" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("tick", ["0", "-1", "nan"])
def test_a_tick_that_is_no_pause_is_one_line_and_exit_2(tick: str) -> None:
    proc = _serve("--port", "0", "--tick", tick)
    try:
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 2
    assert f"--tick {float(tick)}: want a number of seconds above 0" in err
    assert "Traceback" not in err
