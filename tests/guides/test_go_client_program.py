# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""guides/programs/go/client: the Go client program of the guide builds, vets,
and against the standalone reference orchestrator (its stage run by a
scripted executor) creates a workplan, waits for the check and prints its
result."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.data.build.v1.build_status_pb2 import BuildStatus
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.testing import ScriptedExecutor
from turboci.testing import succeed
from turboci.utils import value

from core.layout import REPO as LAYOUT
from tests.conftest import REPO
from tools import env
from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as executor_grpc
from turboci.graph.orchestrator.v1 import (
    turbo_ci_orchestrator_service_pb2_grpc as orchestrator_grpc,
)

PROGRAMS = REPO / "guides" / "programs" / "go"

pytestmark = pytest.mark.slow  # builds a Go program


@dataclass
class Served:
    address: str
    executor_failures: list[str]


@pytest.fixture
def orchestrator() -> Iterator[Served]:
    """The standalone reference, its BuildStageArgs stages run by a
    scripted executor that succeeds; yields the reference's address."""
    executor = ScriptedExecutor(
        script=[succeed(BuildCheckResult(status=BuildStatus.BUILD_STATUS_SUCCEEDED))]
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    executor_grpc.add_TurboCIStageExecutorServicer_to_server(executor, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "turboci.testing",
            "serve",
            "--port",
            "0",
            "--tick",
            "0.05",
            "--executor",
            f"{value.type_url_of(BuildStageArgs)}=127.0.0.1:{port}",
        ],
        env=dict(os.environ, PYTHONPATH=str(REPO / "py")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stop = threading.Event()
    failures: list[str] = []
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "listening on " in line, line + proc.stderr.read() if proc.stderr else line
        address = line.rsplit(" ", 1)[1].strip()
        channel = grpc.insecure_channel(address)
        executor.orchestrator = orchestrator_grpc.TurboCIOrchestratorStub(channel)

        # The scripted executor does its attempts' work when asked to; a
        # failure is kept for the test's message instead of ending the pump.
        def pump() -> None:
            while not stop.wait(0.05):
                try:
                    executor.work()
                except Exception as exc:
                    failures.append(repr(exc))

        worker = threading.Thread(target=pump, daemon=True)
        worker.start()
        yield Served(address, failures)
        stop.set()
        worker.join(timeout=10)
        channel.close()
    finally:
        stop.set()
        proc.terminate()
        proc.communicate(timeout=20)
        server.stop(None)


def _go(*args: str, cwd: Path = PROGRAMS) -> subprocess.CompletedProcess[str]:
    go_env = env.go_env(LAYOUT, GOFLAGS="-mod=readonly")
    return subprocess.run(["go", *args], cwd=cwd, env=go_env, capture_output=True, text=True)


def test_the_go_client_program_drives_a_workplan_to_its_result(
    orchestrator: Served, tmp_path: Path
) -> None:
    binary = tmp_path / "client"
    for step in (["vet", "./..."], ["build", "-o", str(binary), "./client"]):
        proc = _go(*step)
        assert proc.returncode == 0, f"go {' '.join(step)}:\n{proc.stdout}{proc.stderr}"
    proc = subprocess.run(
        [str(binary), orchestrator.address], capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, proc.stderr + "\n".join(orchestrator.executor_failures)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("created workplan "), proc.stdout
    assert "check build is CHECK_STATE_FINAL" in lines[1], proc.stdout
    assert lines[-1] == "result: build BUILD_STATUS_SUCCEEDED", proc.stdout


def test_the_go_client_program_says_how_to_call_it(tmp_path: Path) -> None:
    binary = tmp_path / "client"
    proc = _go("build", "-o", str(binary), "./client")
    assert proc.returncode == 0, proc.stderr
    usage = subprocess.run([str(binary)], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2
    assert usage.stderr.strip() == "usage: client ORCHESTRATOR_ADDRESS (e.g. 127.0.0.1:50051)"
