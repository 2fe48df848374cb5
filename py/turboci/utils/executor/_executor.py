# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The base an author subclasses: the args type, an optional check of new
stages, and the attempt's work."""

from __future__ import annotations

from typing import Generic
from typing import TypeVar

from google.protobuf.message import Message

from turboci.graph.orchestrator.v1.execution_policy_pb2 import ExecutionPolicy
from turboci.utils.executor._context import RunContext

A = TypeVar("A", bound=Message)


class Executor(Generic[A]):
    """A stage executor for one args type. Subclass it, set `args_type`,
    and write `run`::

        class Builder(Executor[BuildStageArgs]):
            args_type = BuildStageArgs

            def run(self, ctx: RunContext[BuildStageArgs]) -> None:
                ctx.progress("compiling")
                ctx.write_results(BuildCheckResult(status=BUILD_STATUS_SUCCEEDED))

    `run` is called on a thread of its own, once per attempt; returning
    ends the attempt COMPLETE, raising ends it INCOMPLETE (StageFailure
    chooses the failure kind; any other exception is FAILURE_KIND_CRASHED).
    Serve it with `serve`.
    """

    args_type: type[A]

    def validate(self, args: A, policy: ExecutionPolicy | None) -> ExecutionPolicy | None:
        """Vet a new or changed stage (ValidateStage). Raise StageRejected to
        refuse it; return a policy to narrow the one asked for (`policy`,
        None when the writer left it to the executor); None accepts it.
        Called while the orchestrator judges the write: never call the
        orchestrator from here."""
        return None

    def run(self, ctx: RunContext[A]) -> None:
        """Do one attempt's work."""
        raise NotImplementedError(f"{type(self).__name__}.run")
