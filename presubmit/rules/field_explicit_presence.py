# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""FIELD_EXPLICIT_PRESENCE: singular, non-oneof scalar and enum fields are `optional`."""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from presubmit.context import RuleContext
from presubmit.rule import Report
from presubmit.rule import rule
from presubmit.spec import Scope

FD = descriptor_pb2.FieldDescriptorProto
IMPLICIT = descriptor_pb2.FeatureSet.IMPLICIT
# Message fields always have presence, so `optional` would add nothing there.
_ALWAYS_PRESENT = (FD.TYPE_MESSAGE, FD.TYPE_GROUP)


def lacks_presence(
    field: descriptor_pb2.FieldDescriptorProto, file: descriptor_pb2.FileDescriptorProto
) -> bool:
    # Checked first because it settles most fields of an API that follows the rule.
    if field.HasField("oneof_index"):
        return False  # a real oneof member, or proto3 `optional` (its synthetic oneof)
    if field.label != FD.LABEL_OPTIONAL or field.type in _ALWAYS_PRESENT:
        return False
    if file.syntax == "proto3":
        return True
    if file.syntax == "editions":
        if field.options.features.HasField("field_presence"):
            return field.options.features.field_presence == IMPLICIT
        return file.options.features.field_presence == IMPLICIT
    return False  # proto2: every singular field has presence


@rule(
    id="FIELD_EXPLICIT_PRESENCE",
    purpose="Singular, non-oneof fields are declared `optional` so presence is observable.",
    scope=Scope.FILE,
    default=False,
    portable=False,
)
def check(ctx: RuleContext, report: Report) -> None:
    for sf, _, field in ctx.fields():
        if sf.proto.syntax in ("proto3", "editions") and lacks_presence(field.proto, sf.proto):
            report.at(
                sf,
                field.path,
                f"field {field.name} has no explicit presence; declare it `optional`",
                element=field.full_name,
            )
