# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A client of the TurboCI orchestrator (needs the `grpc` extra).

``Client`` (blocking) and ``AsyncClient`` (grpc.aio) call the API with a
request_id on every mutating call, retry the orchestrator's own trouble
(UNAVAILABLE, INTERNAL) with backoff and jitter within a deadline (30 s by
default), and raise ``TurboCIError`` with the API's details unpacked
(``RetryableError`` for the retried codes). On top of the RPCs:
``iter_nodes`` / ``iter_work_plan`` page through one snapshot,
``read_nodes`` and ``transact`` turn reads into a write's preconditions,
``wait_for`` watches a node until it reaches a state, and ``lookup``
fetches a value by digest, checks it and decodes it.
"""

from __future__ import annotations

from turboci.utils.client._async import AsyncClient
from turboci.utils.client._errors import DOMAIN
from turboci.utils.client._errors import RETRYABLE_CODES
from turboci.utils.client._errors import RetryableError
from turboci.utils.client._errors import TurboCIError
from turboci.utils.client._errors import from_rpc_error
from turboci.utils.client._paging import AsyncPages
from turboci.utils.client._paging import Node
from turboci.utils.client._paging import Pages
from turboci.utils.client._requests import Metadata
from turboci.utils.client._requests import with_request_id
from turboci.utils.client._retry import DEFAULT_TIMEOUT
from turboci.utils.client._retry import Deadline
from turboci.utils.client._retry import RetryPolicy
from turboci.utils.client._retry import call_with_retry
from turboci.utils.client._retry import call_with_retry_async
from turboci.utils.client._sync import Client
from turboci.utils.client._transact import DEFAULT_ATTEMPTS
from turboci.utils.client._transact import NodeId
from turboci.utils.client._transact import NodeSet
from turboci.utils.client._transact import identifier
from turboci.utils.client._values import ValueChunkError
from turboci.utils.client._values import ValueDigestError
from turboci.utils.client._values import ValuesRead
from turboci.utils.client._watch import Until

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_TIMEOUT",
    "DOMAIN",
    "RETRYABLE_CODES",
    "AsyncClient",
    "AsyncPages",
    "Client",
    "Deadline",
    "Metadata",
    "Node",
    "NodeId",
    "NodeSet",
    "Pages",
    "RetryPolicy",
    "RetryableError",
    "TurboCIError",
    "Until",
    "ValueChunkError",
    "ValueDigestError",
    "ValuesRead",
    "call_with_retry",
    "call_with_retry_async",
    "from_rpc_error",
    "identifier",
    "with_request_id",
]
