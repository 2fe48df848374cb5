# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Retries within a deadline: exponential backoff with jitter.

Only the orchestrator's own trouble (UNAVAILABLE, INTERNAL) is retried;
a conflict or any other refusal is raised at once. Sleeps start at 0.1 s,
double after each retry and stop growing at 5 s; each is drawn uniformly
from [d/2, d] so that many clients do not retry in step. No retry starts
when its sleep would pass the deadline, and the error raised then says how
many attempts were made.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import TypeVar

import grpc

from turboci.utils.client._errors import RETRYABLE_CODES
from turboci.utils.client._errors import TurboCIError
from turboci.utils.client._errors import from_rpc_error

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    """How a call is retried: which codes, and the sleeps between attempts."""

    initial_backoff: float = 0.1
    max_backoff: float = 5.0
    multiplier: float = 2.0
    codes: frozenset[grpc.StatusCode] = RETRYABLE_CODES
    # The jitter's source; a test may pass a seeded random.Random.
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def sleeps(self) -> Iterator[float]:
        """The sleep before each retry, jitter applied, forever."""
        ceiling = self.initial_backoff
        while True:
            yield self.rng.uniform(ceiling / 2, ceiling)
            ceiling = min(ceiling * self.multiplier, self.max_backoff)


NO_RETRY = RetryPolicy(codes=frozenset())


class Deadline:
    """An absolute point on the monotonic clock that a call and its retries share."""

    def __init__(self, timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        if not timeout > 0:  # also refuses nan
            raise ValueError(f"timeout {timeout!r}: want a number of seconds above 0")
        self._clock = clock
        self.timeout = timeout
        self.at = clock() + timeout

    def remaining(self) -> float:
        return self.at - self._clock()


def _give_up(error: TurboCIError, attempts: int) -> TurboCIError:
    error.attempts = attempts
    return error


def call_with_retry(
    attempt: Callable[[float], T],
    deadline: Deadline,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``attempt(timeout_left)`` until it succeeds, fails for good, or
    the deadline leaves no room for another try."""
    sleeps = policy.sleeps()
    attempts = 0
    while True:
        attempts += 1
        try:
            return attempt(max(deadline.remaining(), 0.0))
        except grpc.RpcError as rpc_error:
            error = from_rpc_error(rpc_error, attempts)
        if error.code not in policy.codes:
            raise error
        pause = next(sleeps)
        if pause >= deadline.remaining():
            raise _give_up(error, attempts)
        sleep(pause)


async def call_with_retry_async(
    attempt: Callable[[float], Awaitable[T]],
    deadline: Deadline,
    policy: RetryPolicy,
) -> T:
    """The asyncio twin of call_with_retry."""
    sleeps = policy.sleeps()
    attempts = 0
    while True:
        attempts += 1
        try:
            return await attempt(max(deadline.remaining(), 0.0))
        except grpc.RpcError as rpc_error:
            error = from_rpc_error(rpc_error, attempts)
        if error.code not in policy.codes:
            raise error
        pause = next(sleeps)
        if pause >= deadline.remaining():
            raise _give_up(error, attempts)
        await asyncio.sleep(pause)
