# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A client of the TurboCI orchestrator (needs the `grpc` extra).

``Client`` (blocking) and ``AsyncClient`` (grpc.aio) call the API with a
request_id on every mutating call, retry the orchestrator's own trouble
(UNAVAILABLE, INTERNAL) with backoff and jitter within a deadline (30 s by
default), and raise ``TurboCIError`` with the API's details unpacked
(``RetryableError`` for the retried codes).
"""

from __future__ import annotations

from turboci.utils.client._errors import DOMAIN
from turboci.utils.client._errors import RETRYABLE_CODES
from turboci.utils.client._errors import RetryableError
from turboci.utils.client._errors import TurboCIError
from turboci.utils.client._errors import from_rpc_error
from turboci.utils.client._requests import Metadata
from turboci.utils.client._requests import with_request_id
from turboci.utils.client._retry import DEFAULT_TIMEOUT
from turboci.utils.client._retry import Deadline
from turboci.utils.client._retry import RetryPolicy
from turboci.utils.client._retry import call_with_retry
from turboci.utils.client._retry import call_with_retry_async
from turboci.utils.client._sync import Client

__all__ = [
    "DEFAULT_TIMEOUT",
    "DOMAIN",
    "RETRYABLE_CODES",
    "Client",
    "Deadline",
    "Metadata",
    "RetryPolicy",
    "RetryableError",
    "TurboCIError",
    "call_with_retry",
    "call_with_retry_async",
    "from_rpc_error",
    "with_request_id",
]
