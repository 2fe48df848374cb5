# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""FIELD_EXPLICIT_PRESENCE: singular, non-oneof fields are `optional`.

Scalar and enum fields always; message fields too when presubmit.toml says
`[field_presence] messages = true` (they have presence anyway, but the
real TurboCI repo spells it out). An editions file is judged by its
features: there the keyword does not exist, and the finding says which
feature to set.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from presubmit.context import RuleContext
from presubmit.rule import Report
from presubmit.rule import rule
from presubmit.spec import Kind
from presubmit.spec import Scope
from presubmit.spec import Setting

FD = descriptor_pb2.FieldDescriptorProto
IMPLICIT = descriptor_pb2.FeatureSet.IMPLICIT
# Message fields always have presence, so `optional` would add nothing there.
_ALWAYS_PRESENT = (FD.TYPE_MESSAGE, FD.TYPE_GROUP)


def lacks_presence(
    field: descriptor_pb2.FieldDescriptorProto,
    file: descriptor_pb2.FileDescriptorProto,
    messages: bool = False,
) -> bool:
    # Checked first because it settles most fields of an API that follows the rule.
    if field.HasField("oneof_index"):
        return False  # a real oneof member, or proto3 `optional` (its synthetic oneof)
    if field.label != FD.LABEL_OPTIONAL:
        return False
    if field.type in _ALWAYS_PRESENT:
        # Only proto3 has a keyword to spell it; editions give message fields presence.
        return messages and file.syntax == "proto3"
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
    settings=(
        Setting(
            key="field_presence.messages",
            kind=Kind.BOOL,
            default=False,
            help="message-typed fields need `optional` too",
        ),
    ),
)
def check(ctx: RuleContext, report: Report) -> None:
    messages = ctx.config.flag("field_presence.messages")
    for sf, _, field in ctx.fields():
        syntax = sf.proto.syntax
        if syntax not in ("proto3", "editions"):
            continue
        if not lacks_presence(field.proto, sf.proto, messages):
            continue
        if syntax == "editions":
            what = (
                f"field {field.name} has implicit presence; give it "
                "`[features.field_presence = EXPLICIT]` or drop the file's IMPLICIT default "
                "(editions have no `optional`)"
            )
        else:
            what = f"field {field.name} has no explicit presence; declare it `optional`"
        report.at(sf, field.path, what, element=field.full_name)
