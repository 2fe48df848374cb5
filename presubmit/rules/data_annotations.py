# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""DATA_ANNOTATIONS: every payload message says what it is for, as a message option."""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from core import descriptors
from core.descriptors import FILE_EXTENSION
from core.source import SourceFile
from presubmit.context import RuleContext
from presubmit.rule import Report
from presubmit.rule import rule
from presubmit.spec import Kind
from presubmit.spec import Reuse
from presubmit.spec import Scope
from presubmit.spec import Setting

MESSAGE_OPTIONS = ".google.protobuf.MessageOptions"


def _extension_number(ctx: RuleContext, sf: SourceFile, full_name: str) -> int | None:
    """The field number of the MessageOptions extension `full_name`, if `sf` or
    a file it imports declares it: what the file can use, whatever else the
    run was given."""
    for proto in ctx.closure(sf):
        prefix = f"{proto.package}." if proto.package else ""
        for ext in proto.extension:
            if prefix + ext.name == full_name and ext.extendee == MESSAGE_OPTIONS:
                return ext.number
        for msg in descriptors.messages(proto):
            for ext in msg.proto.extension:
                if f"{msg.full_name}.{ext.name}" == full_name and ext.extendee == MESSAGE_OPTIONS:
                    return ext.number
    return None


def _annotated(options: descriptor_pb2.MessageOptions, number: int) -> bool:
    """Is the extension set, and not to an empty message?"""
    payload = descriptors.payloads_of(options.SerializeToString(), number)
    return any(payload)


@rule(
    id="DATA_ANNOTATIONS",
    purpose="Messages of payload packages carry the data annotation option (maturity, audience).",
    scope=Scope.TREE,
    reuse=Reuse.FILE,
    default=False,
    portable=False,
    settings=(
        Setting(
            key="data_annotations.option",
            kind=Kind.STRING,
            default="",
            help="the message option payload messages set (its full name)",
        ),
        Setting(
            key="data_annotations.packages",
            kind=Kind.STRINGS,
            default=(),
            help="package prefixes whose messages are payloads",
        ),
    ),
    requires=("data_annotations.option", "data_annotations.packages"),
)
def check(ctx: RuleContext, report: Report) -> None:
    option = ctx.config.text("data_annotations.option").lstrip(".")
    packages = ctx.config.strings("data_annotations.packages")
    numbers: dict[str, int | None] = {}
    for sf in ctx.files:
        if not sf.proto.package.startswith(packages):
            continue
        if not sf.proto.message_type:
            continue  # nothing to annotate (an enum alone needs no import of the option)
        number = numbers[sf.name] = _extension_number(ctx, sf, option)
        if number is None:
            report.place(
                sf.name,
                1,
                1,
                f"the option ({option}) that data annotations use is not declared in this "
                "file or its imports; import the file that declares it (an extension of "
                "google.protobuf.MessageOptions), or fix [data_annotations] option in "
                "presubmit.toml",
                anchor=(FILE_EXTENSION,),
            )
    for sf, message in ctx.messages():
        number = numbers.get(sf.name)
        if number is None or _annotated(message.proto.options, number):
            continue
        report.at(
            sf,
            message.path,
            f"message {message.name} needs `option ({option}) = {{...}}`: its maturity, "
            "audience and intended usage",
            element=message.full_name,
        )
