# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The executor example of py/README.md runs as written: the executor it
serves runs a stage of the reference orchestrator to COMPLETE."""

from __future__ import annotations

import re
from typing import Any

import grpc
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.data.build.v1.build_status_pb2 import BuildStatus
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.utils import value

from tests.api.executor.conftest import PY
from tests.api.executor.support import Harness

README = (PY / "README.md").read_text(encoding="utf-8")
SECTION = README.split("\n## Writing a stage executor\n", 1)[1].split("\n## ", 1)[0]
[EXAMPLE] = re.findall(r"```python\n(.*?)```", SECTION, re.DOTALL)


def test_the_executor_example_runs(harness: Harness) -> None:
    names: dict[str, Any] = {}
    exec(compile(EXAMPLE, "py/README.md", "exec"), names)
    server: grpc.Server = names["server"]
    try:
        address = f"127.0.0.1:{names['port']}"
        harness.ref.orchestrator.register_executor([value.type_url_of(BuildStageArgs)], address)
        wp = harness.plan()
        harness.ref.tick()
        harness.wait_state(wp, StageAttemptState.STAGE_ATTEMPT_STATE_COMPLETE)
        plan = harness.read(wp)
        got = value.lookup(plan.checks[0].results[0].data[0], plan.value_data, BuildCheckResult)
        assert got.status == BuildStatus.BUILD_STATUS_SUCCEEDED
    finally:
        server.stop(None)
