# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The API's own options are set where the API says they are.

Every payload message of turboci.data.* and turboci.stages.* says what it is
for (the `data` message option), every orchestrator RPC names the
permissions it checks (`permissions`), and the write fields whose comments
limit them to some states carry that limit as `writable`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.data_annotation_pb2 import DataAnnotation
from turboci.graph.orchestrator.v1.field_options_pb2 import writable
from turboci.graph.orchestrator.v1.message_options_pb2 import data
from turboci.graph.orchestrator.v1.method_options_pb2 import permissions
from turboci.graph.orchestrator.v1.permission_pb2 import Permission
from turboci.graph.orchestrator.v1.stage_state_pb2 import StageState
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite

from tests.api.support import field_behaviors
from tests.api.support import import_all_stubs
from turboci.graph.orchestrator.v1 import turbo_ci_orchestrator_service_pb2

PAYLOAD_PACKAGES = ("turboci.data.", "turboci.stages.")
CHECK_USAGES = {DataAnnotation.Usage.KIND_CHECK_OPTION, DataAnnotation.Usage.KIND_CHECK_RESULT}


def _messages(d: Descriptor) -> Iterator[Descriptor]:
    if d.GetOptions().map_entry:
        return  # generated for map fields, not written by anyone
    yield d
    for nested in d.nested_types:
        yield from _messages(nested)


def payload_messages() -> list[Descriptor]:
    found: list[Descriptor] = []
    for name in import_all_stubs():
        if name.startswith(PAYLOAD_PACKAGES):
            for d in importlib.import_module(name).DESCRIPTOR.message_types_by_name.values():
                found.extend(_messages(d))
    return found


@pytest.mark.parametrize("message", payload_messages(), ids=lambda d: d.full_name)
def test_payload_messages_say_what_they_are_for(message: Descriptor) -> None:
    options = message.GetOptions()
    assert options.HasExtension(data), f"{message.full_name} has no (data) option"
    note = options.Extensions[data]
    assert note.maturity != DataAnnotation.MATURITY_UNKNOWN
    assert note.audience != DataAnnotation.AUDIENCE_UNKNOWN
    assert note.usages, "at least one usage"
    for usage in note.usages:
        assert usage.kind != DataAnnotation.Usage.KIND_UNKNOWN
        if usage.check_kinds:
            assert usage.kind in CHECK_USAGES, "check kinds only for options and results"


def test_there_are_payload_messages() -> None:
    names = {d.full_name for d in payload_messages()}
    assert "turboci.data.common.v1.Display" in names
    assert "turboci.data.common.v1.Display.Link" in names
    assert "turboci.stages.test.v1.TestStageArgs" in names


def test_every_orchestrator_rpc_names_its_permissions() -> None:
    service = turbo_ci_orchestrator_service_pb2.DESCRIPTOR.services_by_name["TurboCIOrchestrator"]
    for method in service.methods:
        perms = method.GetOptions().Extensions[permissions]
        assert perms, f"{method.name} names no permission"
        for perm in perms:
            assert perm.name.startswith("turboci."), perm.name
            assert perm.realm != Permission.REALM_UNKNOWN, perm.name


@pytest.mark.parametrize(
    ("write", "field", "state"),
    [
        (CheckWrite, "options", CheckState.CHECK_STATE_PLANNING),
        (CheckWrite, "dependencies", CheckState.CHECK_STATE_PLANNING),
        (CheckWrite, "results", CheckState.CHECK_STATE_WAITING),
        (CheckWrite, "finalize_result", CheckState.CHECK_STATE_WAITING),
        (StageWrite, "args", StageState.STAGE_STATE_PLANNED),
        (StageWrite, "execution_policy", StageState.STAGE_STATE_PLANNED),
        (StageWrite, "dependencies", StageState.STAGE_STATE_PLANNED),
        (StageWrite, "assignments", StageState.STAGE_STATE_PLANNED),
    ],
)
def test_write_fields_carry_their_states(write: type[Message], field: str, state: int) -> None:
    rule = write.DESCRIPTOR.fields_by_name[field].GetOptions().Extensions[writable]
    assert list(rule.check_states) + list(rule.stage_states) == [state]


@pytest.mark.parametrize(
    ("write", "field"),
    [
        (CheckWrite, "kind"),
        (CheckWrite, "realm"),
        (StageWrite, "realm"),
        (StageWrite, "join_group"),
    ],
)
def test_creation_only_fields_are_immutable(write: type[Message], field: str) -> None:
    descriptor = write.DESCRIPTOR.fields_by_name[field]
    assert "IMMUTABLE" in field_behaviors(write, field)
    assert not descriptor.GetOptions().Extensions[writable].ListFields(), "no state rule as well"
