# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Running the guides' programs and the standalone reference orchestrator
as a user would, for the tests of tests/guides."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import grpc
import pytest
from google.protobuf.message import Message
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.orchestrator.v1.assignment_pb2 import Assignment
from turboci.graph.orchestrator.v1.check_kind_pb2 import CheckKind
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.graph.orchestrator.v1.execution_policy_pb2 import ExecutionPolicy
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.testing import ScriptedExecutor
from turboci.testing import succeed
from turboci.utils import value
from turboci.utils.value import type_url_of

from core.layout import REPO as LAYOUT
from tests.conftest import REPO
from tools import env
from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as ex_grpc
from turboci.graph.orchestrator.v1 import turbo_ci_orchestrator_service_pb2_grpc as or_grpc

PROGRAMS = REPO / "guides" / "programs"


def python_env() -> dict[str, str]:
    """The stubs and helpers from py/, as an installed wheel would give them."""
    return dict(os.environ, PYTHONPATH=str(REPO / "py"))


def start(args: list[str], what: str) -> tuple[subprocess.Popen[str], str]:
    """Start a server that prints "... listening on ADDRESS" as its first
    line; the process and that address."""
    proc = subprocess.Popen(
        args, env=python_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if " listening on " not in line:
        proc.kill()
        _, err = proc.communicate(timeout=10)
        pytest.fail(f"{what} printed {line!r} first; stderr:\n{err}")
    return proc, line.split()[-1]


def start_reference(*executors: str) -> tuple[subprocess.Popen[str], str]:
    """`python -m turboci.testing serve` on a free port, routing each
    `ARGS_TYPE_URL=TARGET` of `executors`."""
    routes = [arg for route in executors for arg in ("--executor", route)]
    serve = [sys.executable, "-m", "turboci.testing", "serve", "--port", "0", "--tick", "0.05"]
    return start([*serve, *routes], "the reference orchestrator")


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """SIGTERM (SIGKILL if it lingers); its exit code and stderr."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err or ""


def go_build(name: str, out: Path) -> Path:
    """guides/programs/go/<name>, built in its own module with the pinned Go."""
    binary = out / name
    proc = subprocess.run(
        ["go", "build", "-o", str(binary), f"./{name}"],
        cwd=PROGRAMS / "go",
        env=env.go_env(LAYOUT, GOFLAGS="-mod=readonly"),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"go build ./{name}:\n{proc.stdout}{proc.stderr}"
    return binary


def mypy_strict(program: Path, scratch: Path) -> subprocess.CompletedProcess[str]:
    """`mypy --strict` of one program, against the stubs in py/."""
    return subprocess.run(
        [
            *(str(LAYOUT.venv_bin("mypy")), "--strict", "--no-incremental"),
            *("--cache-dir", str(scratch / ".mypy_cache"), str(program)),
        ],
        cwd=scratch,
        env={**env.tool_env(), "MYPYPATH": str(REPO / "py")},
        capture_output=True,
        text=True,
    )


@dataclass
class Served:
    """The standalone reference's address, and what the scripted executor
    serving its stages failed with (for a test's message)."""

    address: str
    executor_failures: list[str] = field(default_factory=list)


@contextlib.contextmanager
def reference_with_scripted_executor(result: Message) -> Iterator[Served]:
    """The standalone reference orchestrator with BuildStageArgs stages routed
    to a turboci.testing.ScriptedExecutor that answers `result`, working in a
    thread of this process while the test runs."""
    executor = ScriptedExecutor(script=[succeed(result)])
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    ex_grpc.add_TurboCIStageExecutorServicer_to_server(executor, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    stop_pump = threading.Event()
    proc: subprocess.Popen[str] | None = None
    try:
        proc, address = start_reference(f"{type_url_of(BuildStageArgs)}=127.0.0.1:{port}")
        served = Served(address)
        with grpc.insecure_channel(address) as channel:
            executor.orchestrator = or_grpc.TurboCIOrchestratorStub(channel)

            # A failure is kept for the test's message instead of ending the pump.
            def pump() -> None:
                while not stop_pump.wait(0.05):
                    try:
                        executor.work()
                    except Exception as exc:
                        served.executor_failures.append(repr(exc))

            worker = threading.Thread(target=pump, daemon=True)
            worker.start()
            try:
                yield served
            finally:
                stop_pump.set()
                worker.join(10)
    finally:
        stop_pump.set()
        if proc is not None:
            stop(proc)
        server.stop(None)


def build_plan(builder: str, heartbeat_seconds: int) -> CreateWorkPlanRequest:
    """A CreateWorkPlanRequest of one build check and the build stage that
    answers it, as the guides' client programs make."""
    policy = ExecutionPolicy()
    policy.heartbeat.running.seconds = heartbeat_seconds
    build = CheckId(id="build")
    return CreateWorkPlanRequest(
        workflow="guides/build",
        realm="guides:ci",
        checks=[
            CheckWrite(
                id=build, kind=CheckKind.CHECK_KIND_BUILD, state=CheckState.CHECK_STATE_PLANNED
            )
        ],
        stages=[
            StageWrite(
                id=StageId(id="compile"),
                args=value.write(BuildStageArgs(builder=builder)),
                execution_policy=policy,
                assignments=[Assignment(check=build)],
            )
        ],
    )
