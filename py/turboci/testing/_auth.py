# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Who may do what: the pluggable authorizer and the caller's identity.

The caller names itself in gRPC metadata (`turboci-user: <email>` or
`turboci-service: <email>`), as a test or a person with grpcurl can; the
reference trusts it, since it is for tests, never production. Without
either the caller is the user "anonymous@example.com".
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from typing import Protocol

from turboci.graph.orchestrator.v1.actor_pb2 import Actor

USER_KEY = "turboci-user"
SERVICE_KEY = "turboci-service"
ANONYMOUS = "anonymous@example.com"


def principal_of(metadata: Sequence[tuple[str, str | bytes]]) -> Actor:
    for key, value in metadata:
        if isinstance(value, bytes):
            continue
        if key == USER_KEY:
            return Actor(user=value)
        if key == SERVICE_KEY:
            return Actor(service=value)
    return Actor(user=ANONYMOUS)


def principal_name(actor: Actor) -> str:
    kind = actor.WhichOneof("kind")
    return f"{kind}:{getattr(actor, kind)}" if kind in ("user", "service") else str(kind)


class Authorizer(Protocol):
    def allowed(self, principal: Actor, permission: str, realm: str) -> bool:
        """Whether principal holds permission (e.g. "turboci.checks.create") in realm."""
        ...


class AllowAll:
    """Grants everything: the default, for tests that are not about permissions."""

    def allowed(self, principal: Actor, permission: str, realm: str) -> bool:
        return True


class Grants:
    """Grants only what was granted: (principal, permission, realm) triples,
    where principal is "user:<email>" or "service:<email>" and realm may be
    "*" for every realm."""

    def __init__(self, grants: Iterable[tuple[str, str, str]] = ()) -> None:
        self._grants: set[tuple[str, str, str]] = set(grants)

    def grant(self, principal: str, permission: str, realm: str = "*") -> None:
        self._grants.add((principal, permission, realm))

    def allowed(self, principal: Actor, permission: str, realm: str) -> bool:
        who = principal_name(principal)
        return (who, permission, realm) in self._grants or (who, permission, "*") in self._grants
