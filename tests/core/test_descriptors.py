# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The walkers: every element with its source path and full name."""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from core import descriptors


def _file() -> descriptor_pb2.FileDescriptorProto:
    f = descriptor_pb2.FileDescriptorProto(name="f.proto", package="p")
    a = f.message_type.add(name="A")
    a.field.add(name="x", number=1)
    b = a.nested_type.add(name="B")
    b.nested_type.add(name="C")
    e = b.enum_type.add(name="E")
    e.value.add(name="E_UNKNOWN", number=0)
    a.nested_type.add(name="D")
    f.message_type.add(name="Z")
    f.enum_type.add(name="Top")
    s = f.service.add(name="S")
    s.method.add(name="M")
    return f


def test_messages_depth_first_with_paths() -> None:
    assert [(m.path, m.full_name) for m in descriptors.messages(_file())] == [
        ((4, 0), "p.A"),
        ((4, 0, 3, 0), "p.A.B"),
        ((4, 0, 3, 0, 3, 0), "p.A.B.C"),
        ((4, 0, 3, 1), "p.A.D"),
        ((4, 1), "p.Z"),
    ]


def test_enums_values_fields_services_methods() -> None:
    f = _file()
    enums = list(descriptors.enums(f))
    assert [(e.path, e.full_name) for e in enums] == [
        ((5, 0), "p.Top"),
        ((4, 0, 3, 0, 4, 0), "p.A.B.E"),
    ]
    # Enum values live in the scope that holds their enum.
    assert [(v.path, v.full_name) for v in descriptors.values(enums[1])] == [
        ((4, 0, 3, 0, 4, 0, 2, 0), "p.A.B.E_UNKNOWN")
    ]
    first = next(descriptors.messages(f))
    assert [(x.path, x.full_name, x.name) for x in descriptors.fields(first)] == [
        ((4, 0, 2, 0), "p.A.x", "x")
    ]
    service = next(descriptors.services(f))
    assert [(m.path, m.full_name) for m in descriptors.methods(service)] == [
        ((6, 0, 2, 0), "p.S.M")
    ]


def test_no_package_means_bare_names() -> None:
    f = descriptor_pb2.FileDescriptorProto(name="f.proto")
    f.message_type.add(name="A")
    assert [m.full_name for m in descriptors.messages(f)] == ["A"]


def test_varints_of_reads_packed_and_unpacked_options() -> None:
    options = descriptor_pb2.FieldOptions(deprecated=True)
    # field_behavior (1052) = [2, 5], once unpacked and once packed.
    unknown = bytes([0xE0, 0x41, 2]) + bytes([0xE2, 0x41, 1, 5])
    data = options.SerializeToString() + unknown
    assert descriptors.varints_of(data, descriptors.FIELD_BEHAVIOR_EXTENSION) == [2, 5]
    assert descriptors.varints_of(data, 3) == [1]


def test_payloads_of_reads_length_delimited_fields_only() -> None:
    # Field 1050 as bytes twice, once as a varint (not a payload); 7 as bytes.
    data = (
        bytes([0xD2, 0x41, 2]) + b"ab"
        + bytes([0xD0, 0x41, 9])
        + bytes([0x3A, 1]) + b"z"
        + bytes([0xD2, 0x41, 0])
    )  # fmt: skip
    assert descriptors.payloads_of(data, 1050) == [b"ab", b""]
    assert descriptors.payloads_of(data, 7) == [b"z"]
