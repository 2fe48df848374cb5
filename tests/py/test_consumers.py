# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Downstream projects build against the stubs and helpers as a user would.

A typed Python consumer passes `mypy --strict` with the stubs as installed
(py/ on the path, types-protobuf and types-grpcio in the tools venv, as the
`typing` extra brings them), and mypy refuses one that mixes up the
lifecycle enums. A Go module outside the repository, pointing at go/ with a
`replace`, builds, vets and tests a consumer of value.Lookup, ids, the
lifecycle helpers and the descriptor bundle (through the module proxy, for
what tools/cache does not hold yet).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from core.layout import REPO as LAYOUT
from tests.conftest import REPO
from tools import deps
from tools import env

# Slow: mypy, and go build, vet and test, on consumers outside the repo.
pytestmark = pytest.mark.slow

PY_CONSUMER = '''\
"""Uses the helpers, the lifecycles, the schema and a gRPC stub."""

from __future__ import annotations

import grpc
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.turbo_ci_orchestrator_service_pb2_grpc import (
    TurboCIOrchestratorStub,
)
from turboci.utils import descriptors
from turboci.utils import ids
from turboci.utils import lifecycle
from turboci.utils import value


def result_of(ref_digest: str) -> BuildCheckResult | None:
    ref, data = value.ref_with_data(BuildCheckResult())
    return value.find([ref], {ref_digest: data}, BuildCheckResult)


def check_id(text: str) -> CheckId:
    return ids.parse_as(text, CheckId)


def after(state: StageAttemptState.ValueType) -> tuple[StageAttemptState.ValueType, ...]:
    return lifecycle.stage_attempt.next_states(state)


def done(state: CheckState.ValueType) -> bool:
    return lifecycle.check.is_final(state)


def messages() -> int:
    work_plan = "turboci/graph/orchestrator/v1/work_plan.proto"
    return len(descriptors.pool().FindFileByName(work_plan).message_types_by_name)


def client(channel: grpc.Channel) -> TurboCIOrchestratorStub:
    return TurboCIOrchestratorStub(channel)
'''

PY_MIXED_UP = """\
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.utils import lifecycle

lifecycle.stage.is_final(CheckState.CHECK_STATE_FINAL)
"""


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "consumer.py").write_text(source, encoding="utf-8")
    # Run outside the repository, so its mypy settings do not apply.
    return subprocess.run(
        [
            str(LAYOUT.venv_bin("mypy")),
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            "consumer.py",
        ],
        cwd=tmp_path,
        env={**env.tool_env(), "MYPYPATH": str(REPO / "py")},
        capture_output=True,
        text=True,
    )


def test_a_typed_python_consumer_passes_mypy_strict(tmp_path: Path) -> None:
    proc = _mypy(tmp_path, PY_CONSUMER)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_refuses_a_state_of_another_lifecycle(tmp_path: Path) -> None:
    proc = _mypy(tmp_path, PY_MIXED_UP)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert '"is_final" of "Lifecycle" has incompatible type' in proc.stdout


GO_MOD = """\
module example.com/consumer

go {directive}

require go.chromium.org/turboci/proto/go v0.0.0

replace go.chromium.org/turboci/proto/go => {go}
"""
GO_CONSUMER = Path(__file__).parent / "go_consumer"


def test_a_go_module_outside_the_repo_builds_vets_and_tests(tmp_path: Path) -> None:
    """With the oldest Go go/go.mod allows: its go line's release exactly,
    fetched through the module proxy (tools/cache keeps it)."""
    directive = deps.load(REPO / "DEPS").version("go", "directive")
    assert f"\ngo {directive}\n" in (REPO / "go" / "go.mod").read_text()
    (tmp_path / "go.mod").write_text(
        GO_MOD.format(go=REPO / "go", directive=directive), encoding="utf-8"
    )
    # The module's own checksums, so go verifies them without asking again.
    shutil.copy(REPO / "go" / "go.sum", tmp_path / "go.sum")
    for source in GO_CONSUMER.glob("*.go"):
        shutil.copy(source, tmp_path / source.name)
    # `go mod tidy` also wants the test dependencies of the module's
    # dependencies (go-cmp), which only the module proxy has on a fresh machine.
    go_env = env.go_env(LAYOUT, GOFLAGS="-mod=mod", GOTOOLCHAIN=f"go{directive}")
    for step in (["mod", "tidy"], ["build", "./..."], ["vet", "./..."], ["test", "-v", "./..."]):
        proc = subprocess.run(
            ["go", *step], cwd=tmp_path, env=go_env, capture_output=True, text=True
        )
        assert proc.returncode == 0, f"go {' '.join(step)}:\n{proc.stdout}{proc.stderr}"
    assert "--- PASS: ExampleSummary" in proc.stdout
    version = subprocess.run(["go", "version"], cwd=tmp_path, env=go_env, capture_output=True)
    assert f"go version go{directive} ".encode() in version.stdout
