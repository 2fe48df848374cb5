# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The guides' programs work together across languages: each client program
(Python, Go) drives a workplan whose stage runs in each executor program
(Python, Go), through the standalone reference orchestrator, as a user
would run them from the guides."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.utils import value

from tests.guides import programs

LANGUAGES = ("python", "go")
TIMEOUT = 120.0

pytestmark = pytest.mark.slow  # builds Go programs, runs servers


@pytest.fixture(scope="module")
def go_programs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both Go programs, built in their own module with the pinned Go."""
    out = tmp_path_factory.mktemp("bin")
    for name in ("client", "executor"):
        programs.go_build(name, out)
    return out


def _command(language: str, program: str, go_programs: Path) -> list[str]:
    if language == "python":
        return [sys.executable, str(programs.PROGRAMS / "python" / f"{program}.py")]
    return [str(go_programs / program)]


@pytest.fixture
def servers(request: pytest.FixtureRequest, go_programs: Path) -> Iterator[str]:
    """One executor program (of the parametrized language) and the reference
    routing build stages to it; yields the reference's address."""
    language = request.param
    executor, address = programs.start(
        [*_command(language, "executor", go_programs), "0"], f"the {language} executor"
    )
    reference: subprocess.Popen[str] | None = None
    try:
        reference, target = programs.start_reference(
            f"{value.type_url_of(BuildStageArgs)}={address}"
        )
        yield target
    finally:
        if reference is not None:
            programs.stop(reference)
        code, err = programs.stop(executor)
    # Stopped by SIGTERM, each executor program waits for its attempts and exits 0.
    assert code == 0, f"the {language} executor exited {code}:\n{err}"


@pytest.mark.parametrize("servers", LANGUAGES, indirect=True, ids=lambda x: f"{x}-executor")
@pytest.mark.parametrize("client", LANGUAGES, ids=lambda x: f"{x}-client")
def test_a_client_program_drives_a_stage_run_by_an_executor_program(
    client: str, servers: str, go_programs: Path
) -> None:
    proc = subprocess.run(
        [*_command(client, "client", go_programs), servers],
        env=programs.python_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    # The check ended FINAL with the executor's result, whichever language
    # wrote it and whichever read it.
    assert "CHECK_STATE_FINAL" in proc.stdout, proc.stdout
    assert "BUILD_STATUS_SUCCEEDED" in proc.stdout, proc.stdout
