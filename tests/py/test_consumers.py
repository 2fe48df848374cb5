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

# The typed consumer the runtime matrix checks too: one program, two uses.
PY_CONSUMER = (REPO / "tools" / "compat" / "typed_consumer.py").read_text(encoding="utf-8")

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


PY_CLIENT_CONSUMER = '''\
"""Uses the client library: calls, errors, pages, transactions, waits, values."""

from __future__ import annotations

import asyncio

import grpc
from turboci.data.build.v1.build_check_options_pb2 import BuildCheckOptions
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.graph.orchestrator.v1.write_nodes_response_pb2 import WriteNodesResponse
from turboci.utils.client import AsyncClient
from turboci.utils.client import Client
from turboci.utils.client import Node
from turboci.utils.client import NodeSet
from turboci.utils.client import RetryableError
from turboci.utils.client import RetryPolicy
from turboci.utils.client import TurboCIError


def start(client: Client) -> WorkPlanId:
    request = CreateWorkPlanRequest(workflow="demo/flow", realm="demo:ci")
    try:
        return client.create_work_plan(request, timeout=5.0, metadata={"x-trace": "1"}).work_plan
    except RetryableError as err:
        raise SystemExit(f"orchestrator down after {err.attempts} attempts") from err
    except TurboCIError as err:
        code: grpc.StatusCode = err.code
        fields = [v.field for v in err.field_violations]
        raise SystemExit(f"{code.name} {err.reason} {fields}") from err


def names(client: Client, wp: WorkPlanId) -> list[str]:
    return [node.id.id for node in client.iter_nodes(NodeQuery(work_plan=wp))]


def decide(nodes: NodeSet) -> WriteNodesRequest | None:
    check: Check | None = nodes.check("build")
    return None if check is None else WriteNodesRequest()


def edit(client: Client, wp: WorkPlanId) -> WriteNodesResponse | None:
    return client.transact(NodeQuery(work_plan=wp), decide, attempts=3)


def wait(client: Client, wp: WorkPlanId) -> BuildCheckOptions | None:
    node: Node = client.wait_for(
        wp, CheckId(work_plan=wp, id="build"), CheckState.CHECK_STATE_FINAL, timeout=60.0
    )
    if isinstance(node, Check) and node.options:
        return client.lookup(wp, node.options[0], BuildCheckOptions)
    return None


async def wait_async(address: str, wp: WorkPlanId) -> int:
    async with AsyncClient(address, insecure=True, retry=RetryPolicy(max_backoff=1.0)) as client:
        node = await client.wait_for(
            wp, CheckId(work_plan=wp, id="build"), lambda n: n.state != 0, timeout=5.0
        )
        return node.update_revision.number


def main(address: str) -> None:
    with Client(address, insecure=True, timeout=10.0) as client:
        wp = start(client)
        print(names(client, wp), edit(client, wp), wait(client, wp))
    print(asyncio.run(wait_async(address, wp)))
'''


def test_a_typed_consumer_of_the_client_passes_mypy_strict(tmp_path: Path) -> None:
    proc = _mypy(tmp_path, PY_CLIENT_CONSUMER)
    assert proc.returncode == 0, proc.stdout + proc.stderr


PY_EXECUTOR_CONSUMER = '''\
"""Uses the executor library: a typed run, its context, failures and serve."""

from __future__ import annotations

import grpc
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.graph.orchestrator.v1.execution_policy_pb2 import ExecutionPolicy
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.testing import FakeClock
from turboci.utils.client import Client
from turboci.utils.executor import AttemptStopped
from turboci.utils.executor import Executor
from turboci.utils.executor import RunContext
from turboci.utils.executor import StageFailure
from turboci.utils.executor import StageRejected
from turboci.utils.executor import serve


class Builder(Executor[BuildStageArgs]):
    args_type = BuildStageArgs

    def validate(
        self, args: BuildStageArgs, policy: ExecutionPolicy | None
    ) -> ExecutionPolicy | None:
        if not args.builder:
            raise StageRejected("builder is required")
        return policy

    def run(self, ctx: RunContext[BuildStageArgs]) -> None:
        builder: str = ctx.args.builder
        client: Client = ctx.client
        ctx.on_cancel(lambda: print("cancelled", client))
        ctx.progress(f"building {builder}")
        if ctx.wait(1.5):
            cause: StageAttemptFailure | None = ctx.cancel_cause
            print(cause)
            return
        if builder == "flaky":
            raise StageFailure("no machine", FailureKind.FAILURE_KIND_LOST)
        try:
            ctx.write_results(BuildCheckResult(), check="build", finalize=True)
        except AttemptStopped:
            return


def main() -> int:
    server, port = serve(Builder(), "127.0.0.1:0", clock=FakeClock(), max_running=4)
    grpc_server: grpc.Server = server
    grpc_server.stop(None).wait()
    return port
'''

PY_EXECUTOR_MIXED_UP = """\
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.stages.test.v1.test_stage_args_pb2 import TestStageArgs
from turboci.utils.executor import Executor


class Builder(Executor[BuildStageArgs]):
    args_type = TestStageArgs
"""


def test_a_typed_consumer_of_the_executor_passes_mypy_strict(tmp_path: Path) -> None:
    proc = _mypy(tmp_path, PY_EXECUTOR_CONSUMER)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_refuses_an_executor_whose_args_type_is_not_its_own(tmp_path: Path) -> None:
    proc = _mypy(tmp_path, PY_EXECUTOR_MIXED_UP)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Incompatible types in assignment" in proc.stdout, proc.stdout


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
