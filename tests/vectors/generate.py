# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Write go/testdata/vectors.json: the test vectors Python and Go share.

    tools/venv/bin/python -m tests.vectors.generate   # from the repo root

The file holds ID strings (valid, with their parse; malformed, with a part
of the error both languages give) and values, each with an input encoding
that is deliberately not canonical (the Any's fields reversed, maps in
reverse order), the canonical encoding and the digest. The expected bytes
come from turboci.utils.value; the Go tests check that Go agrees, and
tests/api/test_vectors.py checks a few against bytes worked out by hand.
The schema of the test-only types (go/testdata/canon.proto) is embedded
compiled, so readers need nothing else. Review changes to it by hand.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any as TypingAny
from typing import cast

from google.protobuf import descriptor_pb2
from google.protobuf import descriptor_pool
from google.protobuf import json_format
from google.protobuf import message_factory
from google.protobuf import struct_pb2
from google.protobuf import text_format
from google.protobuf.any_pb2 import Any
from google.protobuf.message import Message

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "py"))

from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult  # noqa: E402
from turboci.graph.ids.v1.check_id_pb2 import CheckId  # noqa: E402
from turboci.graph.ids.v1.identifier_pb2 import Identifier  # noqa: E402
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId  # noqa: E402
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData  # noqa: E402
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs  # noqa: E402
from turboci.stages.test.v1.test_stage_args_pb2 import TestStageArgs  # noqa: E402
from turboci.utils import _canonical  # noqa: E402
from turboci.utils import ids  # noqa: E402
from turboci.utils import value  # noqa: E402

from turboci.data.test.v1 import test_check_options_pb2  # noqa: E402

OUT = REPO / "go" / "testdata" / "vectors.json"
SCHEMAS = [REPO / "go" / "testdata" / name for name in ("canon.proto", "canon_editions.proto")]
PREFIX = value.TYPE_URL_PREFIX


def compile_schema() -> bytes:
    """The FileDescriptorSet of the test schemas and their imports, no source info."""
    from core import protoc

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "canon.binpb"
        protoc.run(
            [
                f"-I{SCHEMAS[0].parent}",
                "--include_imports",
                f"--descriptor_set_out={out}",
                *(schema.name for schema in SCHEMAS),
            ],
            cwd=SCHEMAS[0].parent,
        )
        return out.read_bytes()


class Schema:
    def __init__(self, fds_bytes: bytes) -> None:
        self.fds_bytes = fds_bytes
        self.pool = descriptor_pool.DescriptorPool()
        for f in descriptor_pb2.FileDescriptorSet.FromString(fds_bytes).file:
            self.pool.Add(f)

    def cls(self, name: str) -> Callable[..., Message]:
        desc = self.pool.FindMessageTypeByName(f"canonvectors.v1.{name}")
        return message_factory.GetMessageClass(desc)


def scrambled(msg: Message) -> bytes:
    """msg encoded validly but not canonically: fields, map entries and Any
    fields in reverse order, at every depth."""
    pool = cast(descriptor_pool.DescriptorPool, msg.DESCRIPTOR.file.pool)
    return _canonical.scrambled(msg, pool)


def reversed_any(type_url: str, inner: bytes) -> bytes:
    """An Any encoded with `value` before `type_url`: valid, not canonical."""
    out = Any(value=inner).SerializeToString() if inner else b""
    return out + Any(type_url=type_url).SerializeToString()


def any_of(msg: Message) -> Message:
    """An Any holding msg, its bytes not canonical, of the Any type of the
    message's own pool (the test types refer to their pool's Any)."""
    pool = cast(descriptor_pool.DescriptorPool, msg.DESCRIPTOR.file.pool)
    cls = message_factory.GetMessageClass(pool.FindMessageTypeByName("google.protobuf.Any"))
    return cls(type_url=PREFIX + msg.DESCRIPTOR.full_name, value=scrambled(msg))


def value_vector(
    name: str, about: str, msg: Message, schema: Schema, input_bytes: bytes | None = None
) -> dict[str, TypingAny]:
    type_url = PREFIX + msg.DESCRIPTOR.full_name
    raw = input_bytes if input_bytes is not None else reversed_any(type_url, scrambled(msg))
    packed = Any.FromString(raw)
    canonical = value.canonical(packed, schema.pool)
    digest = value.digest(packed, schema.pool)
    assert digest == value.digest(value.pack(msg, schema.pool), schema.pool), name
    return {
        "name": name,
        "about": about,
        "type": msg.DESCRIPTOR.full_name,
        "text": text_format.MessageToString(msg, descriptor_pool=schema.pool),
        "input_hex": raw.hex(),
        "canonical_hex": canonical.hex(),
        "sha256": digest.sha256,
        "size_bytes": digest.size_bytes,
    }


def error_vector(
    name: str, about: str, raw: bytes, error: str, schema: Schema
) -> dict[str, TypingAny]:
    try:
        value.canonical(Any.FromString(raw), schema.pool)
    except value.CanonicalError as exc:
        assert exc.kind == error, (name, exc.kind, exc)
    else:
        raise AssertionError(f"{name}: expected {error}")
    return {"name": name, "about": about, "input_hex": raw.hex(), "error": error}


def values(schema: Schema) -> list[dict[str, TypingAny]]:
    node = schema.cls("Node")
    scalars = schema.cls("Scalars")
    options = test_check_options_pb2.TestCheckOptions
    out = [
        value_vector(
            "prefix_keys",
            "map keys that are prefixes of each other: os < os_version < osx",
            options(
                suites=["base_unittests", "net_unittests"],
                variant={"osx": "13", "os_version": "22.04", "os": "linux", "o": "1"},
            ),
            schema,
        ),
        value_vector(
            "empty_key_and_value",
            "the empty string sorts first; an empty map value is still written",
            options(variant={"a": "", "": "x", "b": "y"}),
            schema,
        ),
        value_vector(
            "non_ascii_keys",
            "keys compare as UTF-8 bytes: e < z < \u00e9 < \uff5a < \U0001f600"
            " (UTF-16 order would put U+1F600 before U+FF5A)",
            node(
                labels={
                    "\U0001f600": "emoji",
                    "\uff5a": "fullwidth",
                    "\u00e9": "accent",
                    "z": "z",
                    "e": "e",
                }
            ),
            schema,
        ),
        value_vector(
            "nested_maps",
            "maps of messages holding maps, prefix keys at every level",
            node(
                name="root",
                labels={"goma_fallback": "1", "goma": "0"},
                children={
                    "ab": node(labels={"b": "2", "a": "1", "aa": "3"}),
                    "a": node(children={"x_y": node(name="deep"), "x": node(name="x")}),
                },
            ),
            schema,
        ),
        value_vector(
            "integer_and_bool_keys",
            "signed keys numerically (negative first), unsigned keys numerically, false < true",
            node(
                by_i32={2147483647: "max", -2147483648: "min", -1: "-1", 0: "0", 1: "1"},
                by_i64={-(2**63): "min", 2**63 - 1: "max", -10: "-10", 10: "10"},
                by_u32={4294967295: "max", 0: "0", 7: "7"},
                by_u64={2**64 - 1: "max", 2**63: "2^63", 1: "1"},
                by_s32={-3: "-3", 3: "3", -1: "-1"},
                by_s64={-(2**63): "min", 5: "5", -5: "-5"},
                by_f32={4294967295: "max", 1: "1"},
                by_f64={2**64 - 1: "max", 2: "2"},
                by_sf32={-7: "-7", 7: "7"},
                by_sf64={-(2**63): "min", 0: "0"},
                by_bool={True: "t", False: "f"},
            ),
            schema,
        ),
        value_vector(
            "negative_numbers",
            "negative int32 and enum as 10-byte varints, zigzag, fixed, -0.0 is written",
            scalars(
                i32=-1,
                i64=-(2**63),
                s32=-2147483648,
                s64=-1,
                sf32=-5,
                sf64=-6,
                fl=-1.5,
                db=-0.0,
                color=-2,
                opt_i32=-3,
            ),
            schema,
        ),
        value_vector(
            "explicit_presence_defaults",
            "optional fields set to their defaults are written; implicit defaults are not",
            scalars(i32=0, s="", b=False, opt_i32=0, opt_s=""),
            schema,
        ),
        value_vector(
            "every_scalar",
            "one of each scalar type, non-default",
            scalars(
                i32=1,
                i64=2,
                u32=3,
                u64=2**64 - 1,
                s32=5,
                s64=6,
                f32=7,
                f64=8,
                sf32=9,
                sf64=10,
                fl=0.25,
                db=1e100,
                b=True,
                s="héllo",
                by=b"\x00\xff",
                color=1,
            ),
            schema,
        ),
        value_vector(
            "repeated_fields",
            "packed numeric fields (negatives too), an unpacked one, strings and messages in order",
            node(
                packed=[3, -1, 0, 2],
                packed_s=[-1, 1, -(2**63)],
                packed_d=[-0.0, 1.5],
                unpacked=[2, 1, -1],
                strings=["b", "", "a"],
                nodes=[node(name="2"), node(), node(name="1")],
                colors={"z": 1, "a": -2, "m": 7},
                blobs={"k": b"", "j": b"\x01"},
            ),
            schema,
        ),
        value_vector(
            "any_inside_any",
            "an Any holding a Node whose Any holds Scalars; inner bytes re-encoded canonically",
            node(
                name="outer",
                any=any_of(
                    node(
                        labels={"os_version": "1", "os": "2"},
                        any=any_of(scalars(i32=-1, s="inner")),
                    )
                ),
                anys=[any_of(scalars(u32=1)), any_of(scalars())],
                any_map={"b": any_of(node(labels={"y": "1", "x": "2"})), "a": any_of(node())},
            ),
            schema,
        ),
        value_vector(
            "value_is_an_any",
            "a value whose type is google.protobuf.Any itself, holding a Node",
            any_of(node(labels={"ab": "1", "a": "2"})),
            schema,
        ),
        value_vector(
            "oneof_empty_message",
            "a oneof member set to an empty message is present, so written with length 0",
            node(sub=node()),
            schema,
        ),
        value_vector(
            "empty_value",
            "a message with nothing set: the Any holds only the type URL",
            scalars(),
            schema,
        ),
        value_vector(
            "build_stage_args",
            "an API type with prefix keys",
            BuildStageArgs(
                builder="chromium/try/linux-rel",
                properties={"goma_fallback": "true", "goma": "on", "go": "1"},
            ),
            schema,
        ),
        value_vector(
            "test_stage_args",
            "an API type with prefix keys and a nested ID",
            TestStageArgs(
                build=CheckId(work_plan=WorkPlanId(id="p"), id="build/linux"),
                dimensions={"os_version": "14", "os": "mac", "pool": "ci"},
            ),
            schema,
        ),
        value_vector(
            "struct",
            "google.protobuf.Struct: nested string maps, negative numbers, lists",
            json_format.ParseDict(
                {"os": {"name": "linux", "n": -1.5}, "os_version": [1, -2, None, True], "": {}},
                struct_pb2.Struct(),
            ),
            schema,
        ),
    ]
    legacy = schema.cls("Legacy")
    out.append(
        value_vector(
            "editions_features",
            "explicit presence by default (0 is written), expanded and packed repeated fields,"
            " a delimited (group) message, implicit presence on request",
            legacy(
                count=0,
                expanded=[3, -1],
                packed=[-2, 2],
                child=legacy(count=7, child=legacy()),
                implicit=0,
                by_name={"b": legacy(count=1), "a": legacy(implicit=-1)},
            ),
            schema,
        )
    )
    # Encodings that parsers accept but the canonical form fixes: a packed
    # field given as separate records and an unpacked one given packed; a
    # field given twice (the last wins).
    packed_unpacked = bytes.fromhex("7801780292010203041a01611a0162")
    hand = node()
    hand.ParseFromString(packed_unpacked)
    out.append(
        value_vector(
            "repacked",
            "packed field sent unpacked, unpacked field sent packed, name sent twice",
            hand,
            schema,
            input_bytes=reversed_any(PREFIX + "canonvectors.v1.Node", packed_unpacked),
        )
    )
    return out


def errors(schema: Schema) -> list[dict[str, TypingAny]]:
    node_url = PREFIX + "canonvectors.v1.Node"
    unknown = bytes.fromhex("1a0161f80601")  # name "a", then field 111 (not in Node)
    nested_unknown = Any(type_url=node_url, value=unknown).SerializeToString()
    missing_url = PREFIX + "canonvectors.v1.Missing"
    missing = Any(type_url=missing_url, value=b"\x08\x01").SerializeToString()
    return [
        error_vector(
            "unknown_field",
            "a field the schema does not define",
            Any(type_url=node_url, value=unknown).SerializeToString(),
            "unknown_fields",
            schema,
        ),
        error_vector(
            "unknown_field_in_inner_any",
            "unknown fields inside an Any inside the value",
            Any(
                type_url=node_url, value=bytes([0xAA, 0x01, len(nested_unknown)]) + nested_unknown
            ).SerializeToString(),
            "unknown_fields",
            schema,
        ),
        error_vector(
            "unresolvable_type",
            "an Any inside the value names a type nobody defined",
            Any(
                type_url=node_url, value=b"\xaa\x01" + bytes([len(missing)]) + missing
            ).SerializeToString(),
            "unresolvable_type",
            schema,
        ),
        error_vector(
            "malformed_inner_bytes",
            "an Any whose bytes are a truncated varint",
            Any(type_url=PREFIX + "canonvectors.v1.Scalars", value=b"\x08").SerializeToString(),
            "malformed_any",
            schema,
        ),
        error_vector(
            "bytes_without_type",
            "an Any inside the value with bytes but no type URL",
            Any(type_url=node_url, value=bytes.fromhex("aa010412020801")).SerializeToString(),
            "unresolvable_type",
            schema,
        ),
    ]


def id_vectors() -> dict[str, list[dict[str, TypingAny]]]:
    valid = [
        "W20260302-ps-4f1c",
        "W20260302-ps-4f1c:Cbuild/linux",
        "Wp:Cbuild/linux:R1",
        "Wp:Cbuild/linux:E3",
        "Wp:Sbuild-linux",
        "Wp:Sbuild-linux:A2147483647",
        "Wp:Sbuild-linux:E12",
        "WA-z_0.9/x:Sa.b",
        "W" + "a" * 128,
    ]
    malformed = [
        ("", "not a TurboCI ID"),
        ("W", "invalid workplan name"),
        ("X123", "not a TurboCI ID"),
        ("w123", "not a TurboCI ID"),
        ("Wa b", "invalid workplan name"),
        ("Wx:", "after the workplan want C<check> or S<stage>"),
        ("Wx:C", "invalid check name"),
        ("Wx:Qname", "after the workplan want C<check> or S<stage>"),
        ("Wx:Ca:A1", "after a check want R<number> or E<number>"),
        ("Wx:Sa:R1", "after a stage want A<number> or E<number>"),
        ("Wx:Sa:A0", "invalid stage attempt number"),
        ("Wx:Sa:A01", "invalid stage attempt number"),
        ("Wx:Sa:A-1", "invalid stage attempt number"),
        ("Wx:Sa:A+1", "invalid stage attempt number"),
        ("Wx:Sa:A1x", "invalid stage attempt number"),
        ("Wx:Sa:A2147483648", "stage attempt number"),
        ("Wx:Ca:R", "invalid check result number"),
        ("Wx:Sa:A1:E1", "not a TurboCI ID"),
        ("W" + "a" * 129, "invalid workplan name"),
        ("Wx:Cé", "invalid check name"),
        ("Wx:Ca:E", "invalid check edit number"),
    ]
    unformattable: list[tuple[dict[str, TypingAny], str]] = [
        ({}, "no ID is set"),
        ({"workPlan": {}}, "invalid workplan name"),
        ({"check": {"id": "a"}}, "invalid workplan name"),
        ({"check": {"workPlan": {"id": "x"}, "id": "a:b"}}, "invalid check name"),
        ({"stageAttempt": {"stage": {"workPlan": {"id": "x"}, "id": "s"}}}, "stage attempt number"),
        ({"checkResult": {"check": {"workPlan": {"id": "x"}, "id": "c"}, "number": -1}}, "number"),
    ]
    out_valid = []
    for text in valid:
        parsed = ids.parse(text)
        out_valid.append(
            {
                "text": text,
                "kind": parsed.WhichOneof("type"),
                "id": json_format.MessageToDict(parsed),
            }
        )
    for text, error in malformed:
        try:
            ids.parse(text)
        except ids.IdError as exc:
            assert error in str(exc), (text, str(exc))
        else:
            raise AssertionError(f"{text!r} parsed")
    for message, error in unformattable:
        try:
            ids.format(json_format.ParseDict(message, Identifier()))
        except ids.IdError as exc:
            assert error in str(exc), (message, str(exc))
        else:
            raise AssertionError(f"{message} formatted")
    return {
        "valid": out_valid,
        "malformed": [{"text": t, "error": e} for t, e in malformed],
        "unformattable": [{"id": m, "error": e} for m, e in unformattable],
    }


def json_vectors() -> list[dict[str, TypingAny]]:
    """Values fetched as JSON (ValueData.json), some written by a newer schema:
    what lookup gives (text), the fields it ignores, whether that is the
    whole value, and its digest where one may be taken (else null: refused).
    The ignored fields are sorted."""

    cases = [
        (
            "json_whole",
            "every field known to the reader",
            {"status": "BUILD_STATUS_SUCCEEDED", "failureSummary": "none"},
            False,
        ),
        (
            "json_newer_field",
            "a top-level field of a newer schema",
            {"status": "BUILD_STATUS_SUCCEEDED", "retryCount": 2},
            False,
        ),
        (
            "json_newer_nested_field",
            "a newer field inside a repeated message, beside known ones",
            {
                "artifacts": [{"name": "a", "uri": "gs://b/a"}, {"name": "b", "checksumAlgo": "x"}],
                "failureSummary": "x",
            },
            False,
        ),
        (
            "json_has_unknown_fields",
            "the orchestrator's schema lacked fields: they are not in the JSON at all",
            {"status": "BUILD_STATUS_FAILED"},
            True,
        ),
    ]
    out: list[dict[str, TypingAny]] = []
    for name, about, obj, unknown in cases:
        text = json.dumps(obj, separators=(",", ":"))
        ref, _ = value.ref_with_data(BuildCheckResult())
        data = ValueData(has_unknown_fields=unknown)
        data.json.type_url = PREFIX + BuildCheckResult.DESCRIPTOR.full_name
        data.json.json = text
        ref.digest.sha256 = "0" * 64
        got = value.lookup(ref, {ref.digest.sha256: data}, BuildCheckResult)
        ignored = list(value.ignored_fields(ref, {ref.digest.sha256: data}, BuildCheckResult))
        complete = value.is_complete(ref, {ref.digest.sha256: data}, BuildCheckResult)
        out.append(
            {
                "name": name,
                "about": about,
                "type": BuildCheckResult.DESCRIPTOR.full_name,
                "json": text,
                "has_unknown_fields": unknown,
                "text": text_format.MessageToString(got),
                "ignored": ignored,
                "complete": complete,
                "sha256": value.digest(value.pack(got)).sha256 if complete else None,
            }
        )
    return out


def build() -> str:
    schema = Schema(compile_schema())
    doc = {
        "about": (
            "Test vectors of turboci-proto, shared by the Go and Python tests; written by "
            "tests/vectors/generate.py. Values: input_hex is a google.protobuf.Any encoded "
            "validly but not canonically; canonical_hex and sha256/size_bytes are its "
            "canonical encoding and digest (turboci/graph/orchestrator/v1/digest.proto); "
            "text is the value in protobuf text format. Types canonvectors.v1.* are defined "
            "by schema_fds_base64 (go/testdata/canon.proto, canon_editions.proto). "
            "json_values: a value fetched as JSON (ValueData.json), maybe written by a "
            "newer schema: the message lookup gives (text), the JSON fields it ignores, "
            "whether that is the whole value, and its digest (null: a digest is refused)."
        ),
        "schema_fds_base64": base64.b64encode(schema.fds_bytes).decode("ascii"),
        "ids": id_vectors(),
        "values": values(schema),
        "value_errors": errors(schema),
        "json_values": json_vectors(),
    }
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    OUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
