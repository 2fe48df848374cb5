# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A complete TurboCI client: it starts a workplan with one check and the
stage that answers it, waits for the check to be final, and prints the
check's results.

    pip install 'turboci-proto[grpc]'
    python client.py 127.0.0.1:50051

The orchestrator at that address must know an executor for the stage's
args (BuildStageArgs); against the reference orchestrator that is
`python -m turboci.testing serve --executor <args type URL>=<executor address>`.
"""

from __future__ import annotations

import sys

from google.protobuf import text_format
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.orchestrator.v1.assignment_pb2 import Assignment
from turboci.graph.orchestrator.v1.check_conclusion_pb2 import CheckConclusion
from turboci.graph.orchestrator.v1.check_kind_pb2 import CheckKind
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.utils import value
from turboci.utils.client import Client
from turboci.utils.client import TurboCIError


def plan() -> CreateWorkPlanRequest:
    """One check ("build": what we want to know) and one stage ("compile":
    how it is found out), assigned to each other."""
    return CreateWorkPlanRequest(
        workflow="example/build",
        realm="example:ci",  # <project>:<realm>, where permissions are checked
        checks=[
            CheckWrite(
                id=CheckId(id="build"),
                kind=CheckKind.CHECK_KIND_BUILD,
                # PLANNED: its stages may start (PLANNING would hold them back).
                state=CheckState.CHECK_STATE_PLANNED,
            )
        ],
        stages=[
            StageWrite(
                id=StageId(id="compile"),
                # Stage args are a value: a packed message, routed by its type
                # to the executor that serves it.
                args=value.write(BuildStageArgs(builder="linux-release")),
                assignments=[Assignment(check=CheckId(id="build"))],
            )
        ],
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} HOST:PORT (the orchestrator's address)", file=sys.stderr)
        return 2
    # Every call gets a deadline (here 10 s, retries included) and our name;
    # CreateWorkPlan gets a request_id, so a retried call is applied once.
    # The channel uses TLS unless told otherwise; plain text (insecure=True)
    # suits a local reference orchestrator only.
    user = {"turboci-user": "you@example.com"}
    with Client(argv[1], insecure=True, timeout=10.0, metadata=user) as client:
        try:
            work_plan = client.create_work_plan(plan()).work_plan
            print(f"workplan {work_plan.id}")
            # wait_for watches the workplan (WatchWorkPlan) and resumes the
            # watch if the connection drops, until the check is FINAL.
            node = client.wait_for(
                work_plan,
                CheckId(work_plan=work_plan, id="build"),
                CheckState.CHECK_STATE_FINAL,
                timeout=60.0,
            )
            assert isinstance(node, Check)
            reason = CheckConclusion.Reason.Name(node.conclusion.reason)
            print(f"check {node.id.id}: {CheckState.Name(node.state)} ({reason})")
            # Results are values too: refs by digest. lookup fetches each one
            # (ReadValues), checks it against its digest and decodes it, as
            # its imported class or, if its module is not imported, as a
            # dynamic message built from the schema shipped with the package.
            for result in node.results:
                for ref in result.data:
                    message = client.lookup(work_plan, ref)
                    text = text_format.MessageToString(message, as_one_line=True)
                    print(f"result {message.DESCRIPTOR.full_name}: {text}")
        except TurboCIError as err:
            # One line: the code, the message, the API's reason if any, and
            # how many attempts were made.
            print(f"error: {err}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
