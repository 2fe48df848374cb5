# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What a stage's code raises to say how its attempt ends, and what the
library raises when the attempt may no longer write."""

from __future__ import annotations

from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind


class StageFailure(Exception):  # noqa: N818 (the attempt's failure, by design)
    """Raised by `run` to end the attempt INCOMPLETE with this failure kind
    (any other exception is FAILURE_KIND_CRASHED). The kind decides whether
    the policy retries the stage (see failure_kind.proto)."""

    def __init__(
        self, message: str, kind: FailureKind.ValueType = FailureKind.FAILURE_KIND_CRASHED
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


class StageRejected(StageFailure):
    """Raised by `validate` to refuse a stage (ValidateStage answers
    INVALID_ARGUMENT with this message), or by `run` to end the attempt
    FAILURE_KIND_REJECTED, which is never retried."""

    def __init__(self, message: str) -> None:
        super().__init__(message, FailureKind.FAILURE_KIND_REJECTED)


class AttemptStopped(Exception):  # noqa: N818 (a state, not a bug)
    """The attempt may no longer write: its token expired, another process
    claimed it, the orchestrator could not be reached for two heartbeat
    intervals, or the attempt already ended. `run` should return."""
