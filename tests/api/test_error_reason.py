# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""ErrorReason is the one list of the refusals a caller can act on.

Each value names the gRPC status code it travels with, and every refusal
the API's comments name is one of its values.
"""

from __future__ import annotations

import re

from google.protobuf import descriptor_pb2
from turboci.graph.orchestrator.v1.error_reason_pb2 import ErrorReason
from turboci.utils import descriptors

from tests.api.support import import_all_stubs

import_all_stubs()

ERROR_REASON_FILE = "turboci/graph/orchestrator/v1/error_reason.proto"
# FileDescriptorProto.enum_type, then EnumDescriptorProto.value.
ENUM_TYPE, ENUM_VALUE = 5, 2
STATUS_CODES = {
    "INVALID_ARGUMENT",
    "FAILED_PRECONDITION",
    "OUT_OF_RANGE",
    "UNAUTHENTICATED",
    "PERMISSION_DENIED",
    "NOT_FOUND",
    "ABORTED",
    "ALREADY_EXISTS",
    "RESOURCE_EXHAUSTED",
    "UNAVAILABLE",
}
REASONS = {v.name for v in ErrorReason.DESCRIPTOR.values}
NAMED = re.compile(r"\bERROR_REASON_[A-Z_]*[A-Z]")


def _api_files() -> list[descriptor_pb2.FileDescriptorProto]:
    return [f for f in descriptors.file_descriptor_set().file if f.name.startswith("turboci/")]


def _value_comments() -> dict[str, str]:
    [proto] = [f for f in _api_files() if f.name == ERROR_REASON_FILE]
    values = proto.enum_type[0].value
    found: dict[str, str] = {}
    for loc in proto.source_code_info.location:
        path = list(loc.path)
        if len(path) == 4 and path[:3] == [ENUM_TYPE, 0, ENUM_VALUE]:
            found[values[path[3]].name] = loc.leading_comments.strip()
    return found


def test_every_reason_names_its_status_code() -> None:
    comments = _value_comments()
    for name in sorted(REASONS):
        if name == "ERROR_REASON_UNKNOWN":
            continue
        code = comments.get(name, "").split(":", 1)[0]
        assert code in STATUS_CODES, f"{name}: its comment should start with 'CODE:'"


def test_every_refusal_the_api_names_is_a_reason() -> None:
    named: set[str] = set()
    for proto in _api_files():
        for loc in proto.source_code_info.location:
            text = " ".join([loc.leading_comments, loc.trailing_comments])
            named.update(NAMED.findall(text))
    assert named, "the API's comments should name their refusals"
    assert named <= REASONS, sorted(named - REASONS)
