# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The authorizers: grants, and the declared permissions of each method."""

from __future__ import annotations

import pytest
from turboci.graph.orchestrator.v1.actor_pb2 import Actor
from turboci.testing import Declared
from turboci.testing import Grants
from turboci.testing._auth import UndeclaredPermissionError
from turboci.testing._auth import current_method
from turboci.testing._auth import declared_permissions

ALICE = Actor(user="alice@example.com")


def test_declared_permissions_come_from_the_method_options() -> None:
    declared = declared_permissions()
    assert declared["CancelWorkPlan"] == {"turboci.workplans.cancel"}
    assert "turboci.checks.update" in declared["WriteNodes"]
    assert set(declared) == {
        "CreateWorkPlan",
        "WriteNodes",
        "QueryNodes",
        "ReadWorkPlan",
        "WatchWorkPlan",
        "ReadValues",
        "CancelWorkPlan",
        "AllocateNodeIds",
    }


def test_a_check_the_method_does_not_declare_is_a_bug() -> None:
    authorizer = Declared(Grants([("user:alice@example.com", "turboci.checks.get", "*")]))
    token = current_method.set("CancelWorkPlan")
    try:
        with pytest.raises(UndeclaredPermissionError):
            authorizer.allowed(ALICE, "turboci.checks.get", "p:r")
        assert not authorizer.allowed(ALICE, "turboci.workplans.cancel", "p:r")
    finally:
        current_method.reset(token)


def test_grants_hold_per_realm_or_everywhere() -> None:
    grants = Grants([("user:alice@example.com", "turboci.checks.get", "p:r")])
    grants.grant("service:bot@example.com", "turboci.checks.get")
    assert grants.allowed(ALICE, "turboci.checks.get", "p:r")
    assert not grants.allowed(ALICE, "turboci.checks.get", "p:other")
    assert grants.allowed(Actor(service="bot@example.com"), "turboci.checks.get", "any:realm")
