# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A base to write a TurboCI stage executor: write one `run(ctx)`, and the
library serves ValidateStage, RunStage and CancelStage for one args type,
claims each attempt, heartbeats at the policy's interval, and reports how
the attempt ended.

    class Builder(Executor[BuildStageArgs]):
        args_type = BuildStageArgs

        def run(self, ctx: RunContext[BuildStageArgs]) -> None:
            ctx.progress("compiling")
            ctx.write_results(BuildCheckResult(status=BuildStatus.BUILD_STATUS_SUCCEEDED))

    server, port = serve(Builder(), "127.0.0.1:0")

Needs the `grpc` extra.
"""

from __future__ import annotations

from turboci.utils.executor._clock import Clock
from turboci.utils.executor._clock import MonotonicClock
from turboci.utils.executor._context import RunContext
from turboci.utils.executor._errors import AttemptStopped
from turboci.utils.executor._errors import StageFailure
from turboci.utils.executor._errors import StageRejected
from turboci.utils.executor._executor import Executor
from turboci.utils.executor._process import process_id
from turboci.utils.executor._serve import serve
from turboci.utils.executor._service import ExecutorServicer

__all__ = [
    "AttemptStopped",
    "Clock",
    "Executor",
    "ExecutorServicer",
    "MonotonicClock",
    "RunContext",
    "StageFailure",
    "StageRejected",
    "process_id",
    "serve",
]
