# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The compact string form of graph IDs (turboci.utils.ids)."""

from __future__ import annotations

from typing import Any as TypingAny

import pytest
from google.protobuf.any_pb2 import Any
from turboci.graph.ids.v1.check_edit_id_pb2 import CheckEditId
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.check_result_id_pb2 import CheckResultId
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.ids.v1.stage_attempt_id_pb2 import StageAttemptId
from turboci.graph.ids.v1.stage_edit_id_pb2 import StageEditId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.utils import ids

WP = WorkPlanId(id="20260302-ps-4f1c")
CHECK = CheckId(work_plan=WP, id="build/linux")
STAGE = StageId(work_plan=WP, id="build-linux")

# Every kind of ID with its documented compact form.
CASES: list[tuple[ids.AnyId, str]] = [
    (WP, "W20260302-ps-4f1c"),
    (CHECK, "W20260302-ps-4f1c:Cbuild/linux"),
    (CheckResultId(check=CHECK, number=1), "W20260302-ps-4f1c:Cbuild/linux:R1"),
    (CheckEditId(check=CHECK, number=3), "W20260302-ps-4f1c:Cbuild/linux:E3"),
    (STAGE, "W20260302-ps-4f1c:Sbuild-linux"),
    (StageAttemptId(stage=STAGE, number=2), "W20260302-ps-4f1c:Sbuild-linux:A2"),
    (StageEditId(stage=STAGE, number=12), "W20260302-ps-4f1c:Sbuild-linux:E12"),
]


@pytest.mark.parametrize(("message", "text"), CASES, ids=[t for _, t in CASES])
def test_format_and_parse_round_trip(message: ids.AnyId, text: str) -> None:
    assert ids.format(message) == text
    parsed = ids.parse(text)
    inner = ids.unwrap(parsed)
    assert inner == message
    assert ids.format(parsed) == text
    kind: TypingAny = type(inner)
    assert ids.parse_as(text, kind) == message


def test_identifier_formats_what_it_holds() -> None:
    assert ids.format(Identifier(stage=STAGE)) == "W20260302-ps-4f1c:Sbuild-linux"


def test_check_and_stage_edits_are_told_apart() -> None:
    assert ids.parse("Wx:Ca:E1").HasField("check_edit")
    assert ids.parse("Wx:Sa:E1").HasField("stage_edit")


def test_names_may_use_every_allowed_character() -> None:
    name = "A-z_0.9/x"
    assert ids.parse_as(f"Wp:C{name}", CheckId).id == name
    assert ids.parse_as("W" + "a" * 128, WorkPlanId).id == "a" * 128


def test_parse_as_rejects_another_kind() -> None:
    with pytest.raises(ids.IdError, match="is a StageId, not a CheckId"):
        ids.parse_as("Wx:Sbuild", CheckId)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "W",
        "X123",
        "w123",
        "Wa b",
        "Wx:",
        "Wx:C",
        "Wx:Qname",
        "Wx:Ca:A1",
        "Wx:Sa:R1",
        "Wx:Sa:A0",
        "Wx:Sa:A01",
        "Wx:Sa:A-1",
        "Wx:Sa:A1x",
        "Wx:Sa:A2147483648",
        "Wx:Sa:A1:E1",
        "Wx:Ca:R",
        "W" + "a" * 129,
        "Wx:Cé",
    ],
)
def test_parse_rejects_malformed(text: str) -> None:
    with pytest.raises(ids.IdError):
        ids.parse(text)


def test_largest_number_is_accepted() -> None:
    assert ids.parse_as("Wx:Sa:A2147483647", StageAttemptId).number == 2**31 - 1


@pytest.mark.parametrize(
    "message",
    [
        WorkPlanId(),
        CheckId(id="a"),
        CheckId(work_plan=WP, id="a:b"),
        StageAttemptId(stage=STAGE),
        CheckResultId(check=CHECK, number=-1),
        Identifier(),
    ],
)
def test_format_rejects_what_would_not_parse_back(message: ids.AnyId) -> None:
    with pytest.raises(ids.IdError):
        ids.format(message)


def test_unwrap_of_an_empty_identifier_is_an_error() -> None:
    with pytest.raises(ids.IdError, match="no ID is set"):
        ids.unwrap(Identifier())


def test_format_of_another_message_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not a TurboCI graph ID"):
        ids.format(Any())  # type: ignore[arg-type]
