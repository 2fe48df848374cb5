# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""guides/programs/python/client.py runs as a user would run it: against
the standalone reference orchestrator, whose stage goes to a scripted
executor served here; and it passes mypy --strict as it stands."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc
import pytest

from core.layout import REPO as LAYOUT
from tests.conftest import REPO
from tools import env

PY = REPO / "py"
if str(PY) not in sys.path:
    sys.path.insert(0, str(PY))

from turboci.data.build.v1.build_artifact_pb2 import BuildArtifact  # noqa: E402
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult  # noqa: E402
from turboci.data.build.v1.build_status_pb2 import BuildStatus  # noqa: E402
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs  # noqa: E402
from turboci.testing import ScriptedExecutor  # noqa: E402
from turboci.testing import succeed  # noqa: E402
from turboci.utils.value import type_url_of  # noqa: E402

from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as executor_grpc  # noqa: E402
from turboci.graph.orchestrator.v1 import (  # noqa: E402
    turbo_ci_orchestrator_service_pb2_grpc as orchestrator_grpc,
)

PROGRAM = REPO / "guides" / "programs" / "python" / "client.py"
RESULT = BuildCheckResult(
    status=BuildStatus.BUILD_STATUS_SUCCEEDED,
    artifacts=[BuildArtifact(name="app", uri="gs://example/app")],
)

pytestmark = pytest.mark.slow  # programs, servers and mypy in processes of their own


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(PY))


@pytest.fixture
def orchestrator() -> Iterator[str]:
    """The standalone reference orchestrator, with BuildStageArgs stages
    routed to a scripted executor that works while the test runs."""
    executor = ScriptedExecutor(script=[succeed(RESULT)])
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    executor_grpc.add_TurboCIStageExecutorServicer_to_server(executor, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    route = f"{type_url_of(BuildStageArgs)}=127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "turboci.testing", "serve", "--port", "0", "--executor", route],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    stop = threading.Event()
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "listening on" in line, line
        address = line.rsplit(" ", 1)[1].strip()
        channel = grpc.insecure_channel(address)
        executor.orchestrator = orchestrator_grpc.TurboCIOrchestratorStub(channel)

        def work() -> None:
            while not stop.wait(0.05):
                executor.work()

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        yield address
        stop.set()
        worker.join(5)
        channel.close()
    finally:
        stop.set()
        proc.terminate()
        proc.communicate(timeout=20)
        server.stop(None)


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROGRAM), *args],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_client_program_waits_for_the_check_and_prints_its_result(orchestrator: str) -> None:
    out = _run(orchestrator)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("workplan ")
    assert lines[1] == "check build: CHECK_STATE_FINAL (REASON_STAGES_ENDED)"
    assert lines[2:] == [
        "result turboci.data.build.v1.BuildCheckResult: status: BUILD_STATUS_SUCCEEDED "
        'artifacts { name: "app" uri: "gs://example/app" }'
    ]


def test_without_an_address_it_says_how_to_run_it() -> None:
    out = _run()
    assert out.returncode == 2
    assert out.stderr.startswith("usage: ") and len(out.stderr.splitlines()) == 1


def test_a_refusal_is_one_line_and_exit_1() -> None:
    # No executor serves the stage's args: the orchestrator refuses the workplan.
    proc = subprocess.Popen(
        [sys.executable, "-m", "turboci.testing", "serve", "--port", "0"],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        out = _run(proc.stdout.readline().rsplit(" ", 1)[1].strip())
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    assert out.returncode == 1, out.stderr
    assert len(out.stderr.splitlines()) == 1, out.stderr
    assert out.stderr.startswith("error: ") and "[STAGE_REJECTED]" in out.stderr


def test_the_program_passes_mypy_strict(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            str(LAYOUT.venv_bin("mypy")),
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            str(PROGRAM),
        ],
        cwd=tmp_path,
        env={**env.tool_env(), "MYPYPATH": str(PY)},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
