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
from contextvars import ContextVar
from typing import Protocol

from turboci.graph.orchestrator.v1 import (
    turbo_ci_orchestrator_service_pb2 as orchestrator_service_pb2,
)
from turboci.graph.orchestrator.v1.actor_pb2 import Actor
from turboci.graph.orchestrator.v1.method_options_pb2 import permissions

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


# The RPC being served, set by the servicer, so an authorizer can hold each
# permission check against what the method declares.
current_method: ContextVar[str] = ContextVar("turboci_testing_method", default="")


def declared_permissions() -> dict[str, frozenset[str]]:
    """The `(permissions)` option of every orchestrator method, by method name."""
    service = orchestrator_service_pb2.DESCRIPTOR.services_by_name["TurboCIOrchestrator"]
    return {
        m.name: frozenset(p.name for p in m.GetOptions().Extensions[permissions])
        for m in service.methods
    }


class UndeclaredPermissionError(AssertionError):
    """The orchestrator checked a permission its method does not declare: a bug of ours."""


class Declared:
    """Holds every permission check against the `(permissions)` option of
    the method being served, then asks `inner`. So the options are
    exercised: a check the API does not declare fails the call (INTERNAL)."""

    def __init__(self, inner: Authorizer | None = None) -> None:
        self.inner = inner or AllowAll()
        self._declared = declared_permissions()

    def allowed(self, principal: Actor, permission: str, realm: str) -> bool:
        method = current_method.get()
        if method and permission not in self._declared.get(method, frozenset()):
            raise UndeclaredPermissionError(
                f"{method} checked {permission}, which it does not declare"
            )
        return self.inner.allowed(principal, permission, realm)
