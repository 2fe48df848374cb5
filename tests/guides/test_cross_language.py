# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The guides' programs work together across languages: each client program
(Python, Go) drives a workplan whose stage runs in each executor program
(Python, Go), through the standalone reference orchestrator, as a user
would run them from the guides."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.utils import value

from core.layout import REPO as LAYOUT
from tests.conftest import REPO
from tools import env

GUIDES = REPO / "guides" / "programs"
LANGUAGES = ("python", "go")
TIMEOUT = 120.0

pytestmark = pytest.mark.slow  # builds Go programs, runs servers


def _python_env() -> dict[str, str]:
    # The stubs and helpers from py/, as an installed wheel would give them.
    return dict(os.environ, PYTHONPATH=str(REPO / "py"))


@pytest.fixture(scope="module")
def go_programs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both Go programs, built in their own module with the pinned Go."""
    out = tmp_path_factory.mktemp("bin")
    for name in ("client", "executor"):
        proc = subprocess.run(
            ["go", "build", "-o", str(out / name), f"./{name}"],
            cwd=GUIDES / "go",
            env=env.go_env(LAYOUT, GOFLAGS="-mod=readonly"),
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, f"go build ./{name}:\n{proc.stdout}{proc.stderr}"
    return out


def _command(language: str, program: str, go_programs: Path) -> list[str]:
    if language == "python":
        return [sys.executable, str(GUIDES / "python" / f"{program}.py")]
    return [str(go_programs / program)]


def _address(proc: subprocess.Popen[str], what: str) -> str:
    """The address a server prints last on its first line."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        _, err = proc.communicate(timeout=10)
        pytest.fail(f"{what} printed nothing; stderr:\n{err}")
    return line.split()[-1]


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err


@pytest.fixture
def servers(request: pytest.FixtureRequest, go_programs: Path) -> Iterator[str]:
    """One executor program (of the parametrized language) and the reference
    routing build stages to it; yields the reference's address."""
    language = request.param
    executor = subprocess.Popen(
        [*_command(language, "executor", go_programs), "0"],
        env=_python_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reference: subprocess.Popen[str] | None = None
    try:
        route = f"{value.type_url_of(BuildStageArgs)}={_address(executor, 'the executor')}"
        reference = subprocess.Popen(
            [
                *(sys.executable, "-m", "turboci.testing", "serve", "--port", "0"),
                *("--tick", "0.05", "--executor", route),
            ],
            env=_python_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        yield _address(reference, "the reference orchestrator")
    finally:
        if reference is not None:
            _stop(reference)
        code, err = _stop(executor)
    # Stopped by SIGTERM, each executor program waits for its attempts and exits 0.
    assert code == 0, f"the {language} executor exited {code}:\n{err}"


@pytest.mark.parametrize("servers", LANGUAGES, indirect=True, ids=lambda x: f"{x}-executor")
@pytest.mark.parametrize("client", LANGUAGES, ids=lambda x: f"{x}-client")
def test_a_client_program_drives_a_stage_run_by_an_executor_program(
    client: str, servers: str, go_programs: Path
) -> None:
    proc = subprocess.run(
        [*_command(client, "client", go_programs), servers],
        env=_python_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    # The check ended FINAL with the executor's result, whichever language
    # wrote it and whichever read it.
    assert "CHECK_STATE_FINAL" in proc.stdout, proc.stdout
    assert "BUILD_STATUS_SUCCEEDED" in proc.stdout, proc.stdout
