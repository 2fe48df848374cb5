# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The compact string form of TurboCI graph identifiers: format and parse.

The Go package go.chromium.org/turboci/proto/go/utils/ids does the same.

Grammar (documented on the ID messages in turboci/graph/ids/v1):

    workplan       W<name>
    check          W<name>:C<name>
    check result   W<name>:C<name>:R<number>
    check edit     W<name>:C<name>:E<number>
    stage          W<name>:S<name>
    stage attempt  W<name>:S<name>:A<number>
    stage edit     W<name>:S<name>:E<number>

A name is 1 to 128 characters from ``A-Z a-z 0-9 _ - . /``; a number is a
positive decimal without leading zeros that fits an int32. Because ``:`` can
never appear in a name, every string parses one way only.
"""

from __future__ import annotations

import re
from typing import TypeVar

from turboci.graph.ids.v1.check_edit_id_pb2 import CheckEditId
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.check_result_id_pb2 import CheckResultId
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.ids.v1.stage_attempt_id_pb2 import StageAttemptId
from turboci.graph.ids.v1.stage_edit_id_pb2 import StageEditId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId

# Any one graph ID.
NodeId = WorkPlanId | CheckId | CheckResultId | CheckEditId | StageId | StageAttemptId | StageEditId
# What format takes: a graph ID or an Identifier holding one.
AnyId = NodeId | Identifier

_NAME = re.compile(r"[A-Za-z0-9_./-]{1,128}")
_NUMBER = re.compile(r"[1-9][0-9]{0,9}")
_INT32_MAX = 2**31 - 1

_T = TypeVar(
    "_T", WorkPlanId, CheckId, CheckResultId, CheckEditId, StageId, StageAttemptId, StageEditId
)


class IdError(ValueError):
    """An ID message or string that has no valid compact form."""


def _name(kind: str, value: str) -> str:
    if not _NAME.fullmatch(value):
        raise IdError(
            f"invalid {kind} name {value!r}: want 1-128 characters from A-Z a-z 0-9 _ - . /"
        )
    return value


def _number(kind: str, value: int) -> str:
    if not 1 <= value <= _INT32_MAX:
        raise IdError(f"invalid {kind} number {value}: want 1 to {_INT32_MAX}")
    return str(value)


def _work_plan(wp: WorkPlanId) -> str:
    return "W" + _name("workplan", wp.id)


def _check(c: CheckId) -> str:
    return f"{_work_plan(c.work_plan)}:C{_name('check', c.id)}"


def _stage(s: StageId) -> str:
    return f"{_work_plan(s.work_plan)}:S{_name('stage', s.id)}"


def format(ident: AnyId) -> str:
    """The compact string form of any graph ID message.

    Raises IdError when a part is missing or malformed, so that a string that
    could not be parsed back is never produced.
    """
    if isinstance(ident, Identifier):
        return format(unwrap(ident))
    if isinstance(ident, WorkPlanId):
        return _work_plan(ident)
    if isinstance(ident, CheckId):
        return _check(ident)
    if isinstance(ident, CheckResultId):
        return f"{_check(ident.check)}:R{_number('check result', ident.number)}"
    if isinstance(ident, CheckEditId):
        return f"{_check(ident.check)}:E{_number('check edit', ident.number)}"
    if isinstance(ident, StageId):
        return _stage(ident)
    if isinstance(ident, StageAttemptId):
        return f"{_stage(ident.stage)}:A{_number('stage attempt', ident.number)}"
    if isinstance(ident, StageEditId):
        return f"{_stage(ident.stage)}:E{_number('stage edit', ident.number)}"
    raise TypeError(f"not a TurboCI graph ID: {type(ident).__name__}")


def _parse_number(text: str, kind: str, segment: str) -> int:
    if not _NUMBER.fullmatch(segment):
        raise IdError(f"{text!r}: invalid {kind} number {segment!r}")
    value = int(segment)
    if value > _INT32_MAX:
        raise IdError(f"{text!r}: {kind} number {value} is larger than {_INT32_MAX}")
    return value


def _parse_name(text: str, kind: str, segment: str) -> str:
    try:
        return _name(kind, segment)
    except IdError as e:
        raise IdError(f"{text!r}: {e}") from None


def parse(text: str) -> Identifier:
    """Parse any compact ID string into an Identifier holding the right ID."""
    segments = text.split(":")
    if len(segments) > 3 or not segments[0].startswith("W"):
        raise IdError(f"{text!r}: not a TurboCI ID (want W<workplan>[:C<check>|:S<stage>[...]])")
    wp = WorkPlanId(id=_parse_name(text, "workplan", segments[0][1:]))
    if len(segments) == 1:
        return Identifier(work_plan=wp)

    node, rest = segments[1], segments[2:]
    tag, node_name = node[:1], node[1:]
    if tag == "C":
        check = CheckId(work_plan=wp, id=_parse_name(text, "check", node_name))
        if not rest:
            return Identifier(check=check)
        sub, num = rest[0][:1], rest[0][1:]
        if sub == "R":
            number = _parse_number(text, "check result", num)
            return Identifier(check_result=CheckResultId(check=check, number=number))
        if sub == "E":
            number = _parse_number(text, "check edit", num)
            return Identifier(check_edit=CheckEditId(check=check, number=number))
        raise IdError(f"{text!r}: after a check want R<number> or E<number>, got {rest[0]!r}")
    if tag == "S":
        stage = StageId(work_plan=wp, id=_parse_name(text, "stage", node_name))
        if not rest:
            return Identifier(stage=stage)
        sub, num = rest[0][:1], rest[0][1:]
        if sub == "A":
            number = _parse_number(text, "stage attempt", num)
            return Identifier(stage_attempt=StageAttemptId(stage=stage, number=number))
        if sub == "E":
            number = _parse_number(text, "stage edit", num)
            return Identifier(stage_edit=StageEditId(stage=stage, number=number))
        raise IdError(f"{text!r}: after a stage want A<number> or E<number>, got {rest[0]!r}")
    raise IdError(f"{text!r}: after the workplan want C<check> or S<stage>, got {node!r}")


def unwrap(ident: Identifier) -> NodeId:
    """The ID an Identifier holds (a WorkPlanId, CheckId, ...).

    Raises IdError when it holds none.
    """
    which = ident.WhichOneof("type")
    if which is None:
        raise IdError("empty Identifier: no ID is set")
    inner: NodeId = getattr(ident, which)
    return inner


def parse_as(text: str, kind: type[_T]) -> _T:
    """Parse a compact ID string that must be of one kind, e.g. CheckId."""
    inner = unwrap(parse(text))
    if not isinstance(inner, kind):
        raise IdError(f"{text!r} is a {type(inner).__name__}, not a {kind.__name__}")
    return inner


__all__ = ["AnyId", "IdError", "NodeId", "format", "parse", "parse_as", "unwrap"]
