# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A complete TurboCI stage executor: it runs the stages whose args are
BuildStageArgs, reports its progress while it "builds", and answers the
stage's check with a BuildCheckResult.

    pip install 'turboci-proto[grpc]'
    python executor.py 50052        # or 0 (the default): any free port

It prints the address it listens on as its first line, then serves until
interrupted (Ctrl-C or SIGTERM). The orchestrator must route the args type
to that address; with the reference orchestrator:

    python -m turboci.testing serve --port 0 \
        --executor type.googleapis.com/turboci.stages.build.v1.BuildStageArgs=127.0.0.1:50052
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from turboci.data.build.v1.build_artifact_pb2 import BuildArtifact
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.data.build.v1.build_status_pb2 import BuildStatus
from turboci.graph.orchestrator.v1.execution_policy_pb2 import ExecutionPolicy
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.utils.executor import Executor
from turboci.utils.executor import RunContext
from turboci.utils.executor import StageRejected
from turboci.utils.executor import serve

STEPS = ("fetching sources", "compiling", "linking")


class Builder(Executor[BuildStageArgs]):
    """Stages of this args type come here; the library does the rest: it
    claims each attempt, sends heartbeats at the interval the stage's
    policy asks for, and reports the attempt COMPLETE when run returns, or
    INCOMPLETE when it raises, times out or is cancelled."""

    args_type = BuildStageArgs

    def validate(
        self, args: BuildStageArgs, policy: ExecutionPolicy | None
    ) -> ExecutionPolicy | None:
        # Called while a stage is being written: refusing here fails the
        # writer's call at once, instead of an attempt failing later.
        if not args.builder:
            raise StageRejected("BuildStageArgs.builder is required")
        return None  # accept the execution policy as asked

    def run(self, ctx: RunContext[BuildStageArgs]) -> None:
        # run is called once per attempt, on a thread of its own.
        for number, step in enumerate(STEPS, 1):
            # Progress is an attempt detail: a str becomes a Display title.
            ctx.progress(f"{ctx.args.builder}: {step} ({number}/{len(STEPS)})")
            # Stand-in for real work. wait() wakes early when the attempt is
            # cancelled (ctx.cancelled and ctx.on_cancel tell it too).
            if ctx.wait(0.2):
                return  # the library ends the attempt with the cancel's cause
        # The result goes into every check the stage must answer; raising
        # instead (StageFailure picks the failure kind) would fail the attempt.
        ctx.write_results(
            BuildCheckResult(
                status=BuildStatus.BUILD_STATUS_SUCCEEDED,
                artifacts=[BuildArtifact(name="app", uri=f"gs://example/{ctx.args.builder}/app")],
            )
        )


def main(argv: list[str]) -> int:
    port = argv[1] if len(argv) == 2 else "0"
    if len(argv) > 2 or not port.isdigit() or int(port) > 65535:
        print(f"usage: {argv[0]} [PORT] (0 to 65535; 0 picks a free one)", file=sys.stderr)
        return 2
    # The library logs why an attempt stopped (a lost orchestrator, say).
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    try:
        # Each attempt reports to the orchestrator its RunStage request
        # names, over TLS unless told otherwise; plain text (insecure=True)
        # suits a local reference orchestrator only.
        server, bound = serve(Builder(), f"127.0.0.1:{port}", insecure=True)
    except OSError as err:
        print(f"error: {err} (0 picks a free port)", file=sys.stderr)
        return 1
    print(f"turboci executor listening on 127.0.0.1:{bound}", flush=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stop.wait(0.5):
        pass
    server.stop(grace=5).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
