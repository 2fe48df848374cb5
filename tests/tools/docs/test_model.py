# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from core import comments
from core.cached_compile import Compiled
from tests.tools.docs.docs_protos import SHOP_FILES
from tests.tools.docs.docs_protos import compile_protos
from tests.tools.docs.docs_protos import compile_shop
from tools.docs import model
from tools.errors import BuildError


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    return compile_shop(tmp_path_factory)


@pytest.fixture(scope="module")
def api(shop: Compiled) -> model.Api:
    return model.load(shop, SHOP_FILES)


def _message(api: model.Api, full_name: str) -> model.Message:
    for p in api.packages:
        for m in p.all_messages():
            if m.full_name == full_name:
                return m
    raise AssertionError(full_name)


def _field(m: model.Message, name: str) -> model.Field:
    return next(f for f in m.fields if f.name == name)


def test_only_the_named_files_are_documented(api: model.Api) -> None:
    assert [p.name for p in api.packages] == ["shop.ids.v1", "shop.orders.v1"]
    assert "google.protobuf.Timestamp" not in api.index
    assert api.index["shop.orders.v1.Order.Line"] == ("shop.orders.v1", "Order.Line")


def test_package_comment_comes_from_the_package_statement(api: model.Api) -> None:
    orders = api.packages[1]
    assert orders.comment == (
        "The order service and what it deals with.\n\n"
        "Orders move through a lifecycle; see OrderState."
    )
    assert orders.files == SHOP_FILES[1:]


def test_nested_definitions_are_named_relative_to_the_package(api: model.Api) -> None:
    orders = api.packages[1]
    assert [m.name for m in orders.all_messages()] == ["Order", "Order.Line"]
    assert [e.name for e in orders.all_enums()] == ["Order.Priority", "OrderState"]
    assert [s.name for s in orders.services] == ["Orders"]


def test_field_labels_types_and_oneofs(api: model.Api) -> None:
    order = _message(api, "shop.orders.v1.Order")
    got = {f.name: (f.label, f.type, f.map_key, f.oneof) for f in order.fields}
    line = model.TypeRef("shop.orders.v1.Order.Line", "message")
    assert got["id"] == ("optional", model.TypeRef("shop.ids.v1.OrderId", "message"), None, None)
    assert got["lines"] == ("repeated", line, None, None)
    assert got["notes_by_author"] == ("", line, model.TypeRef("string", "scalar"), None)
    assert got["state"][1] == model.TypeRef("shop.orders.v1.OrderState", "enum")
    assert got["address"] == ("", model.TypeRef("string", "scalar"), None, "destination")
    assert got["pickup_point"][3] == "destination"
    # proto3 `optional` is a synthetic oneof, not one the API declares.
    assert order.oneofs == ("destination",)
    # The map's entry type is an implementation detail, not a nested message.
    assert [m.name for m in order.messages] == ["Order.Line"]


def test_field_behaviors_are_read_from_the_options(api: model.Api) -> None:
    order = _message(api, "shop.orders.v1.Order")
    assert _field(order, "id").behaviors == ("REQUIRED", "IMMUTABLE")
    assert _field(order, "state").behaviors == ("OUTPUT_ONLY",)
    assert _field(order, "lines").behaviors == ()


def test_comments_and_positions(api: model.Api) -> None:
    order = _message(api, "shop.orders.v1.Order")
    assert comments.strip_next_id(order.source.comment) == (
        "One customer order | with a pipe in its comment.\n\n"
        "It spans two paragraphs, and names a <placeholder>."
    )
    assert (order.source.file, order.source.line, order.source.col) == (
        "shop/orders/v1/order.proto",
        22,
        1,
    )
    # Without a leading comment the trailing one describes the field.
    assert _field(order, "priority").source.comment == "Trailing comment used as the description."


def test_behaviors_decode_packed_and_unpacked() -> None:
    names = {2: "REQUIRED", 5: "IMMUTABLE"}
    unpacked = descriptor_pb2.FieldOptions()
    unpacked.deprecated = True
    # Field 1052, varint: tag = 1052 << 3 = 8416 = 0xE0 0x41.
    raw = unpacked.SerializeToString() + b"\xe0\x41\x02\xe0\x41\x05"
    opts = descriptor_pb2.FieldOptions.FromString(raw)
    assert model.field_behaviors(opts, names) == ("REQUIRED", "IMMUTABLE")
    # Packed: wire type 2, tag 0xE2 0x41, two bytes of varints; 9 has no name.
    packed = descriptor_pb2.FieldOptions.FromString(b"\xe2\x41\x02\x02\x09")
    assert model.field_behaviors(packed, names) == ("REQUIRED", "9")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Does a thing.\n\nNext ID: 4", "Does a thing."),
        ("Does a thing.\nNEXT_ID: 4", "Does a thing."),
        ("Next ID: 1", ""),
        # "id" must be a whole word. (A last line naming "Next ID" anywhere is one
        # for the NEXT_ID rule, whose grammar the docs share, so it goes too.)
        ("The next identifier is not one.", "The next identifier is not one."),
    ],
)
def test_strip_next_id(text: str, want: str) -> None:
    assert comments.strip_next_id(text) == want


def test_clean_comment_dedents_and_trims() -> None:
    assert comments.clean_comment(" a\n   indented\n\n\n b\n\n") == "a\n  indented\n\nb"


def test_a_file_missing_from_the_compile_is_an_error(shop: Compiled) -> None:
    with pytest.raises(BuildError, match=r"no descriptors for shop/nope\.proto"):
        model.load(shop, ("shop/nope.proto",))


def test_by_default_the_compiles_targets_are_documented(shop: Compiled, api: model.Api) -> None:
    # The compile carries its imports too (google/api, google/protobuf): no page for them.
    assert "google/api/field_behavior.proto" in shop.protos
    assert model.load(shop) == api


def test_proto2_labels_and_deprecation(tmp_path: Path) -> None:
    (tmp_path / "p2").mkdir()
    (tmp_path / "p2" / "old.proto").write_text(
        'syntax = "proto2";\npackage p2;\nmessage Old {\n'
        "  optional string a = 1 [deprecated = true];\n  required int32 b = 2;\n"
        "  oneof pick { string c = 3; }\n  repeated bool d = 4;\n}\n"
    )
    out = compile_protos(tmp_path, ("p2/old.proto",))
    old = model.load(out).packages[0].messages[0]
    assert [(f.name, f.label, f.deprecated) for f in old.fields] == [
        ("a", "optional", True),
        ("b", "required", False),
        ("c", "", False),
        ("d", "repeated", False),
    ]
