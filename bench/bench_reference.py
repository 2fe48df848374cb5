#!/usr/bin/env python3
# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Runs a workplan of N checks and 2N stages through the reference
orchestrator (turboci.testing) over real gRPC, with scripted executors on
localhost, from CreateWorkPlan to finish_revision, for several N.

Shape: check i (i >= 1) depends on check (i - 1) // 2, a tree; stage
"prep/i" prepares, stage "build/i" depends on it and on what check i
depends on, and answers check i.
Prints the revision count and the time per size, and the
time per node, whose growth tells how the cost scales.

Usage: tools/venv/bin/python bench/bench_reference.py [--checks 125,250,500,1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "py"))

from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult  # noqa: E402
from turboci.graph.ids.v1.check_id_pb2 import CheckId  # noqa: E402
from turboci.graph.ids.v1.identifier_pb2 import Identifier  # noqa: E402
from turboci.graph.ids.v1.stage_id_pb2 import StageId  # noqa: E402
from turboci.graph.orchestrator.v1.assignment_pb2 import Assignment  # noqa: E402
from turboci.graph.orchestrator.v1.check_kind_pb2 import CheckKind  # noqa: E402
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState  # noqa: E402
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite  # noqa: E402
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest  # noqa: E402
from turboci.graph.orchestrator.v1.dependency_group_pb2 import DependencyGroup  # noqa: E402
from turboci.graph.orchestrator.v1.edge_pb2 import Edge  # noqa: E402
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest  # noqa: E402
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite  # noqa: E402
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs  # noqa: E402
from turboci.testing import Reference  # noqa: E402
from turboci.testing import succeed  # noqa: E402
from turboci.utils import value  # noqa: E402


def request(n: int) -> CreateWorkPlanRequest:
    checks, stages = [], []
    args = value.write(BuildStageArgs())
    for i in range(n):
        deps = DependencyGroup()
        if i:
            deps.edges.append(Edge(target=Identifier(check=CheckId(id=f"c{(i - 1) // 2}"))))
        checks.append(
            CheckWrite(
                id=CheckId(id=f"c{i}"),
                kind=CheckKind.CHECK_KIND_BUILD,
                state=CheckState.CHECK_STATE_PLANNED,
                dependencies=deps,
            )
        )
        stages.append(StageWrite(id=StageId(id=f"prep/{i}"), args=args))
        # The build waits for its check's dependencies too, so the check is
        # WAITING (open to results) when the build runs.
        after_prep = DependencyGroup()
        after_prep.CopyFrom(deps)
        after_prep.edges.append(Edge(target=Identifier(stage=StageId(id=f"prep/{i}"))))
        stages.append(
            StageWrite(
                id=StageId(id=f"build/{i}"),
                args=args,
                dependencies=after_prep,
                assignments=[Assignment(check=CheckId(id=f"c{i}"))],
            )
        )
    return CreateWorkPlanRequest(
        workflow="bench/tree", realm="bench:ci", checks=checks, stages=stages
    )


def run(n: int) -> tuple[float, int]:
    with Reference() as ref:
        ref.add_executor(BuildStageArgs).script = [succeed(BuildCheckResult())]
        started = time.perf_counter()
        wp = ref.stub.CreateWorkPlan(request(n)).work_plan
        ref.run_until_idle(rounds=10_000)
        took = time.perf_counter() - started
        page = ref.stub.ReadWorkPlan(ReadWorkPlanRequest(work_plan=wp, page_size=1))
        if not page.work_plan.HasField("finish_revision"):
            raise SystemExit(f"N={n}: the workplan did not finish")
        return took, page.work_plan.revision.number


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", default="125,250,500,1000", help="comma-separated check counts")
    args = parser.parse_args()
    print("| checks | stages | revisions | wall s | ms per node |")
    print("|---|---|---|---|---|")
    for n in (int(x) for x in args.checks.split(",")):
        took, revisions = run(n)
        print(
            f"| {n} | {2 * n} | {revisions} | {took:.2f} | {1000 * took / (3 * n):.2f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
