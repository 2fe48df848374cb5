# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.
from __future__ import annotations

from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.testing import Reference
from turboci.testing import succeed
from tests.testing.support import check, create, read, stage


def test_smoke(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [succeed(BuildCheckResult())]
    wp = create(ref, [check("b")], [stage("s", "b")])
    ref.run_until_idle()
    plan = read(ref, wp)
    print(plan)
    assert plan.HasField("finish_revision")
