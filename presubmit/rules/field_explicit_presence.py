"""FIELD_EXPLICIT_PRESENCE: singular, non-oneof scalar and enum fields are `optional`."""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from presubmit.context import LintContext
from presubmit.finding import Finding
from presubmit.source import MESSAGE_FIELD
from presubmit.source import strip_dot
from presubmit.source import walk_messages

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


class FieldExplicitPresence:
    id = "FIELD_EXPLICIT_PRESENCE"
    purpose = "Singular, non-oneof fields are declared `optional` so presence is observable."
    per_file = True

    def check(self, ctx: LintContext) -> list[Finding]:
        found: list[Finding] = []
        for sf in ctx.files_for(self.id):
            proto = sf.proto
            if proto.syntax not in ("proto3", "editions"):
                continue
            for path, msg, name in walk_messages(proto):
                if msg.options.map_entry:
                    continue
                for j, field in enumerate(msg.field):
                    if not lacks_presence(field, proto):
                        continue
                    fpath = (*path, MESSAGE_FIELD, j)
                    found.append(
                        sf.finding(
                            fpath,
                            self.id,
                            f"field {field.name} has no explicit presence; declare it `optional`",
                            f"{strip_dot(name)}.{field.name}",
                        )
                    )
        return found


RULE = FieldExplicitPresence()
