# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Reads a FileDescriptorSet into plain, sorted dataclasses with their comments.

Everything the renderer needs is resolved here once (labels, map types, oneof
membership, field behaviors, source positions), so the templates and the
lifecycle extraction never touch descriptor protos.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Literal

from google.protobuf import descriptor_pb2

from core import descriptors
from core.cached_compile import Compiled
from core.comments import clean_comment
from core.descriptors import ENUM_VALUE
from core.descriptors import FIELD_BEHAVIOR_EXTENSION
from core.descriptors import FILE_ENUM
from core.descriptors import FILE_MESSAGE
from core.descriptors import FILE_PACKAGE
from core.descriptors import FILE_SERVICE
from core.descriptors import MESSAGE_ENUM
from core.descriptors import MESSAGE_FIELD
from core.descriptors import MESSAGE_NESTED
from core.descriptors import SERVICE_METHOD
from tools.errors import BuildError

FDP = descriptor_pb2.FieldDescriptorProto

FIELD_BEHAVIOR_ENUM = "google.api.FieldBehavior"
# Used when the set does not carry google/api/field_behavior.proto itself.
_FALLBACK_BEHAVIORS = {
    1: "OPTIONAL",
    2: "REQUIRED",
    3: "OUTPUT_ONLY",
    4: "INPUT_ONLY",
    5: "IMMUTABLE",
    6: "UNORDERED_LIST",
    7: "NON_EMPTY_DEFAULT",
    8: "IDENTIFIER",
}

Label = Literal["", "optional", "repeated", "required"]
Kind = Literal["scalar", "message", "enum"]


@dataclass(frozen=True)
class Source:
    """Where a definition is declared (1-based) and the comments protoc kept."""

    file: str
    line: int
    col: int
    leading: str = ""
    trailing: str = ""

    @property
    def comment(self) -> str:
        """The leading comment (else the trailing one), dedented and trimmed."""
        return clean_comment(self.leading or self.trailing)

    def leading_line(self, index: int) -> tuple[int, int]:
        """The (line, col) of the `//` that starts raw leading-comment line `index`.

        Source info locates declarations, not comments; a leading comment is the
        run of lines right above its declaration, so count back from it.
        """
        return self.line - len(self.leading.splitlines()) + index, self.col


@dataclass(frozen=True)
class TypeRef:
    """A field's (or RPC's) type: a scalar keyword or a full message/enum name."""

    name: str
    kind: Kind


@dataclass(frozen=True)
class Field:
    name: str
    number: int
    label: Label
    # For a map this is the value type and `map_key` is set.
    type: TypeRef
    map_key: TypeRef | None
    oneof: str | None
    behaviors: tuple[str, ...]
    deprecated: bool
    source: Source


@dataclass(frozen=True)
class EnumValue:
    name: str
    number: int
    deprecated: bool
    source: Source


@dataclass(frozen=True)
class Enum:
    # Relative to the package, dotted for nested enums (`Check.Kind`).
    name: str
    full_name: str
    values: tuple[EnumValue, ...]
    deprecated: bool
    source: Source


@dataclass(frozen=True)
class Message:
    name: str
    full_name: str
    fields: tuple[Field, ...]
    oneofs: tuple[str, ...]
    messages: tuple[Message, ...]
    enums: tuple[Enum, ...]
    deprecated: bool
    source: Source


@dataclass(frozen=True)
class Method:
    name: str
    input: TypeRef
    output: TypeRef
    client_streaming: bool
    server_streaming: bool
    deprecated: bool
    source: Source


@dataclass(frozen=True)
class Service:
    name: str
    full_name: str
    methods: tuple[Method, ...]
    deprecated: bool
    source: Source


@dataclass(frozen=True)
class Package:
    name: str
    files: tuple[str, ...]
    # The package statement's comment from the first file that has one.
    comment: str
    services: tuple[Service, ...]
    messages: tuple[Message, ...]
    enums: tuple[Enum, ...]

    def all_messages(self) -> list[Message]:
        """Every message, each followed by its nested ones, depth first."""
        out: list[Message] = []
        for m in self.messages:
            _walk(m, out)
        return out

    def all_enums(self) -> list[Enum]:
        """Top-level and nested enums, sorted by their dotted name."""
        found = list(self.enums)
        for m in self.all_messages():
            found += m.enums
        return sorted(found, key=lambda e: e.name.split("."))


def _walk(m: Message, out: list[Message]) -> None:
    out.append(m)
    for n in m.messages:
        _walk(n, out)


@dataclass(frozen=True)
class Api:
    """The documented packages plus an index of every definition they hold."""

    packages: tuple[Package, ...]
    # full name -> (package, name relative to the package)
    index: dict[str, tuple[str, str]] = dc_field(default_factory=dict)


def field_behaviors(options: descriptor_pb2.FieldOptions, names: dict[int, str]) -> tuple[str, ...]:
    """The google.api.field_behavior values set on a field, by name."""
    numbers = descriptors.varints_of(options.SerializeToString(), FIELD_BEHAVIOR_EXTENSION)
    return tuple(names.get(n, str(n)) for n in numbers)


class _Reader:
    """Turns the descriptor protos of one set into model objects."""

    def __init__(self, protos: Iterable[descriptor_pb2.FileDescriptorProto]) -> None:
        self.map_entries: dict[str, descriptor_pb2.DescriptorProto] = {}
        self.behavior_names = dict(_FALLBACK_BEHAVIORS)
        for f in protos:
            for m in descriptors.messages(f):
                if m.proto.options.map_entry:
                    self.map_entries["." + m.full_name] = m.proto
            for e in descriptors.top_enums(f):
                if e.full_name == FIELD_BEHAVIOR_ENUM:
                    self.behavior_names = {v.number: v.name for v in e.proto.value}

    def package(self, name: str, files: list[descriptor_pb2.FileDescriptorProto]) -> Package:
        comment = ""
        services: list[Service] = []
        messages: list[Message] = []
        enums: list[Enum] = []
        for f in files:
            locs = _locations(f)
            if not comment:
                comment = clean_comment(self._src(f, locs, (FILE_PACKAGE,)).leading)
            pre = name + "." if name else ""
            for i, s in enumerate(f.service):
                services.append(self._service(f, locs, pre, s, (FILE_SERVICE, i)))
            for i, m in enumerate(f.message_type):
                messages.append(self._message(f, locs, pre, "", m, (FILE_MESSAGE, i)))
            for i, e in enumerate(f.enum_type):
                enums.append(self._enum(f, locs, pre, "", e, (FILE_ENUM, i)))
        # Sorted by name so moving a definition between files moves no text.
        return Package(
            name=name,
            files=tuple(sorted(f.name for f in files)),
            comment=comment,
            services=tuple(sorted(services, key=lambda s: s.name)),
            messages=tuple(sorted(messages, key=lambda m: m.name)),
            enums=tuple(sorted(enums, key=lambda e: e.name)),
        )

    def _src(
        self,
        f: descriptor_pb2.FileDescriptorProto,
        locs: dict[tuple[int, ...], descriptor_pb2.SourceCodeInfo.Location],
        path: tuple[int, ...],
    ) -> Source:
        loc = locs.get(path)
        if loc is None:
            return Source(f.name, 0, 0)
        return Source(
            f.name,
            loc.span[0] + 1,
            loc.span[1] + 1,
            loc.leading_comments,
            loc.trailing_comments,
        )

    def _service(
        self,
        f: descriptor_pb2.FileDescriptorProto,
        locs: dict[tuple[int, ...], descriptor_pb2.SourceCodeInfo.Location],
        pre: str,
        s: descriptor_pb2.ServiceDescriptorProto,
        path: tuple[int, ...],
    ) -> Service:
        methods = tuple(
            Method(
                name=m.name,
                input=TypeRef(m.input_type.lstrip("."), "message"),
                output=TypeRef(m.output_type.lstrip("."), "message"),
                client_streaming=m.client_streaming,
                server_streaming=m.server_streaming,
                deprecated=m.options.deprecated,
                source=self._src(f, locs, (*path, SERVICE_METHOD, i)),
            )
            for i, m in enumerate(s.method)
        )
        return Service(
            s.name, pre + s.name, methods, s.options.deprecated, self._src(f, locs, path)
        )

    def _enum(
        self,
        f: descriptor_pb2.FileDescriptorProto,
        locs: dict[tuple[int, ...], descriptor_pb2.SourceCodeInfo.Location],
        pre: str,
        outer: str,
        e: descriptor_pb2.EnumDescriptorProto,
        path: tuple[int, ...],
    ) -> Enum:
        values = tuple(
            EnumValue(
                v.name, v.number, v.options.deprecated, self._src(f, locs, (*path, ENUM_VALUE, i))
            )
            for i, v in enumerate(e.value)
        )
        name = outer + e.name
        return Enum(name, pre + name, values, e.options.deprecated, self._src(f, locs, path))

    def _message(
        self,
        f: descriptor_pb2.FileDescriptorProto,
        locs: dict[tuple[int, ...], descriptor_pb2.SourceCodeInfo.Location],
        pre: str,
        outer: str,
        m: descriptor_pb2.DescriptorProto,
        path: tuple[int, ...],
    ) -> Message:
        name = outer + m.name
        fields = tuple(
            self._field(f, m, fd, self._src(f, locs, (*path, MESSAGE_FIELD, i)))
            for i, fd in enumerate(m.field)
        )
        # proto3 `optional` makes a synthetic oneof per field; it is not API.
        synthetic = {fd.oneof_index for fd in m.field if fd.proto3_optional}
        oneofs = tuple(o.name for i, o in enumerate(m.oneof_decl) if i not in synthetic)
        nested = tuple(
            self._message(f, locs, pre, name + ".", n, (*path, MESSAGE_NESTED, i))
            for i, n in enumerate(m.nested_type)
            if not n.options.map_entry
        )
        enums = tuple(
            self._enum(f, locs, pre, name + ".", e, (*path, MESSAGE_ENUM, i))
            for i, e in enumerate(m.enum_type)
        )
        return Message(
            name=name,
            full_name=pre + name,
            fields=fields,
            oneofs=oneofs,
            messages=nested,
            enums=enums,
            deprecated=m.options.deprecated,
            source=self._src(f, locs, path),
        )

    def _field(
        self,
        f: descriptor_pb2.FileDescriptorProto,
        m: descriptor_pb2.DescriptorProto,
        fd: descriptor_pb2.FieldDescriptorProto,
        source: Source,
    ) -> Field:
        type_ref = _type_ref(fd)
        map_key: TypeRef | None = None
        label = _label(f, fd)
        entry = self.map_entries.get(fd.type_name) if fd.type == FDP.TYPE_MESSAGE else None
        if entry is not None and fd.label == FDP.LABEL_REPEATED:
            key, value = sorted(entry.field, key=lambda x: x.number)[:2]
            map_key, type_ref, label = _type_ref(key), _type_ref(value), ""
        oneof: str | None = None
        if fd.HasField("oneof_index") and not fd.proto3_optional:
            oneof = m.oneof_decl[fd.oneof_index].name
        return Field(
            name=fd.name,
            number=fd.number,
            label=label,
            type=type_ref,
            map_key=map_key,
            oneof=oneof,
            behaviors=field_behaviors(fd.options, self.behavior_names),
            deprecated=fd.options.deprecated,
            source=source,
        )


def _locations(
    f: descriptor_pb2.FileDescriptorProto,
) -> dict[tuple[int, ...], descriptor_pb2.SourceCodeInfo.Location]:
    locs: dict[tuple[int, ...], descriptor_pb2.SourceCodeInfo.Location] = {}
    for loc in f.source_code_info.location:
        # The first location of a path is the declaration itself.
        locs.setdefault(tuple(loc.path), loc)
    return locs


def _type_ref(fd: descriptor_pb2.FieldDescriptorProto) -> TypeRef:
    if fd.type in (FDP.TYPE_MESSAGE, FDP.TYPE_GROUP):
        return TypeRef(fd.type_name.lstrip("."), "message")
    if fd.type == FDP.TYPE_ENUM:
        return TypeRef(fd.type_name.lstrip("."), "enum")
    return TypeRef(FDP.Type.Name(fd.type).removeprefix("TYPE_").lower(), "scalar")


def _label(f: descriptor_pb2.FileDescriptorProto, fd: descriptor_pb2.FieldDescriptorProto) -> Label:
    if fd.label == FDP.LABEL_REPEATED:
        return "repeated"
    if f.syntax == "proto3":
        return "optional" if fd.proto3_optional else ""
    if f.syntax == "editions":
        fs = descriptor_pb2.FeatureSet
        presence = fd.options.features.field_presence or f.options.features.field_presence
        if presence == fs.LEGACY_REQUIRED:
            return "required"
        # Explicit presence is the editions default; a oneof says it already.
        return "" if presence == fs.IMPLICIT or fd.HasField("oneof_index") else "optional"
    if fd.label == FDP.LABEL_REQUIRED:
        return "required"
    return "" if fd.HasField("oneof_index") else "optional"


def load(compiled: Compiled, files: Sequence[str] | None = None) -> Api:
    """Model the packages of `files` (by default the compile's own targets)."""
    by_name = compiled.protos
    files = compiled.files if files is None else files
    missing = sorted(set(files) - by_name.keys())
    if missing:
        raise BuildError(f"the compile has no descriptors for {', '.join(missing)}")
    grouped: dict[str, list[descriptor_pb2.FileDescriptorProto]] = {}
    for name in sorted(set(files)):
        grouped.setdefault(by_name[name].package, []).append(by_name[name])
    reader = _Reader(by_name.values())
    packages = tuple(reader.package(p, grouped[p]) for p in sorted(grouped))
    index: dict[str, tuple[str, str]] = {}
    for p in packages:
        names = [s.name for s in p.services]
        names += [m.name for m in p.all_messages()] + [e.name for e in p.all_enums()]
        for name in names:
            index[f"{p.name}.{name}" if p.name else name] = (p.name, name)
    return Api(packages, index)
