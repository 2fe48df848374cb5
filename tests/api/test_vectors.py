# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The shared vectors (go/testdata/vectors.json), on the Python side.

Go reads the same file in go/utils/value and go/utils/ids. Beyond the
vectors, a few canonical encodings are checked against bytes worked out by
hand from digest.proto, and the digest is checked to be the same under
the pure-Python protobuf backend and after JSON and text round trips.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from typing import Any as TypingAny

import pytest
from google.protobuf import descriptor_pb2
from google.protobuf import descriptor_pool
from google.protobuf import json_format
from google.protobuf import message_factory
from google.protobuf import struct_pb2
from google.protobuf import text_format
from google.protobuf import wrappers_pb2
from google.protobuf.any_pb2 import Any
from google.protobuf.message import Message
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan
from turboci.utils import ids
from turboci.utils import value

from tests.api.support import PY
from tests.api.support import REPO
from tests.api.support import import_all_stubs
from turboci.data.test.v1 import test_check_options_pb2

VECTORS = REPO / "go" / "testdata" / "vectors.json"
DOC: dict[str, TypingAny] = json.loads(VECTORS.read_text(encoding="utf-8"))
Options = test_check_options_pb2.TestCheckOptions

import_all_stubs()
# Values of type Struct are among the vectors.
assert struct_pb2.Struct.DESCRIPTOR.full_name == "google.protobuf.Struct"


def schema_pool() -> descriptor_pool.DescriptorPool:
    pool = descriptor_pool.DescriptorPool()
    fds = descriptor_pb2.FileDescriptorSet.FromString(base64.b64decode(DOC["schema_fds_base64"]))
    for f in fds.file:
        pool.Add(f)
    return pool


POOL = schema_pool()


def message_class(full_name: str) -> type[Message]:
    for pool in (POOL, descriptor_pool.Default()):
        try:
            desc = pool.FindMessageTypeByName(full_name)
        except KeyError:
            continue
        cls: type[Message] = message_factory.GetMessageClass(desc)
        return cls
    raise KeyError(full_name)


def names(section: list[dict[str, TypingAny]]) -> list[str]:
    return [str(v["name"]) for v in section]


def test_vectors_cover_the_edge_cases() -> None:
    have = set(names(DOC["values"]))
    for needed in (
        "prefix_keys",
        "empty_key_and_value",
        "non_ascii_keys",
        "nested_maps",
        "integer_and_bool_keys",
        "negative_numbers",
        "any_inside_any",
    ):
        assert needed in have
    assert {v["error"] for v in DOC["value_errors"]} == {
        "unknown_fields",
        "unresolvable_type",
        "malformed_any",
    }


@pytest.mark.parametrize("vector", DOC["values"], ids=names(DOC["values"]))
def test_value_vector(vector: dict[str, TypingAny]) -> None:
    packed = Any.FromString(bytes.fromhex(vector["input_hex"]))
    assert value.canonical(packed, POOL).hex() == vector["canonical_hex"]
    digest = value.digest(packed, POOL)
    assert (digest.sha256, digest.size_bytes) == (vector["sha256"], vector["size_bytes"])
    # The same value parsed from its text form.
    message = message_class(vector["type"])()
    text_format.Parse(vector["text"], message, descriptor_pool=POOL)
    assert value.digest(value.pack(message, POOL), POOL).sha256 == vector["sha256"]


@pytest.mark.parametrize("vector", DOC["value_errors"], ids=names(DOC["value_errors"]))
def test_value_without_canonical_encoding(vector: dict[str, TypingAny]) -> None:
    packed = Any.FromString(bytes.fromhex(vector["input_hex"]))
    with pytest.raises(value.CanonicalError) as err:
        value.canonical(packed, POOL)
    assert err.value.kind == vector["error"]
    with pytest.raises(value.CanonicalError):
        value.digest(packed, POOL)


@pytest.mark.parametrize("vector", DOC["ids"]["valid"], ids=lambda v: v["text"][:40])
def test_valid_id_vector(vector: dict[str, TypingAny]) -> None:
    want = json_format.ParseDict(vector["id"], Identifier())
    parsed = ids.parse(vector["text"])
    assert parsed == want
    assert parsed.WhichOneof("type") == vector["kind"]
    assert ids.format(want) == vector["text"]


@pytest.mark.parametrize("vector", DOC["ids"]["malformed"], ids=lambda v: repr(v["text"])[:40])
def test_malformed_id_vector(vector: dict[str, TypingAny]) -> None:
    with pytest.raises(ids.IdError) as err:
        ids.parse(vector["text"])
    assert vector["error"] in str(err.value)


@pytest.mark.parametrize("vector", DOC["ids"]["unformattable"], ids=lambda v: json.dumps(v["id"]))
def test_unformattable_id_vector(vector: dict[str, TypingAny]) -> None:
    with pytest.raises(ids.IdError) as err:
        ids.format(json_format.ParseDict(vector["id"], Identifier()))
    assert vector["error"] in str(err.value)


def test_vectors_are_what_the_generator_writes() -> None:
    from tests.vectors import generate

    assert generate.build() == VECTORS.read_text(encoding="utf-8"), (
        "go/testdata/vectors.json is stale: run tools/venv/bin/python -m tests.vectors.generate"
    )


# Bytes worked out by hand from the rules in digest.proto.
HAND = [
    (
        Options(variant={"os_version": "b", "os": "a"}),
        "12070a026f73120161120f0a0a6f735f76657273696f6e120162",
    ),
    (wrappers_pb2.Int32Value(value=-1), "08ffffffffffffffffff01"),
    (wrappers_pb2.Int32Value(value=0), ""),
    (wrappers_pb2.DoubleValue(value=-0.0), "090000000000000080"),
    (Options(suites=["b", "a"]), "0a01620a0161"),
]


@pytest.mark.parametrize(("message", "want"), HAND, ids=[h[1][:20] or "empty" for h in HAND])
def test_canonical_bytes_by_hand(message: Message, want: str) -> None:
    assert value.canonical(message).hex() == want


def test_pure_python_backend_gives_the_same_bytes() -> None:
    """Every vector again, in a process using the pure-Python backend."""
    script = (
        "import json, sys\n"
        "from google.protobuf.internal import api_implementation\n"
        "assert api_implementation.Type() == 'python', api_implementation.Type()\n"
        "from tests.api import test_vectors as t\n"
        "out = []\n"
        "for v in t.DOC['values']:\n"
        "    packed = t.Any.FromString(bytes.fromhex(v['input_hex']))\n"
        "    out.append(t.value.canonical(packed, t.POOL).hex())\n"
        "    m = t.message_class(v['type'])()\n"
        "    t.text_format.Parse(v['text'], m, descriptor_pool=t.POOL)\n"
        "    out.append(t.value.canonical(t.value.pack(m, t.POOL), t.POOL).hex())\n"
        "json.dump(out, sys.stdout)\n"
    )
    env = dict(
        os.environ,
        PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION="python",
        PYTHONPATH=os.pathsep.join([str(PY), str(REPO)]),
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    want = [h for v in DOC["values"] for h in (v["canonical_hex"], v["canonical_hex"])]
    assert got == want


def _any_inside_any() -> Message:
    vector = next(v for v in DOC["values"] if v["name"] == "any_inside_any")
    message = message_class(vector["type"])()
    text_format.Parse(vector["text"], message, descriptor_pool=POOL)
    return message


def test_json_and_text_round_trips_keep_the_digest() -> None:
    message = _any_inside_any()
    before = value.digest(value.pack(message, POOL), POOL)
    as_json = json_format.MessageToJson(message, descriptor_pool=POOL)
    from_json = json_format.Parse(as_json, type(message)(), descriptor_pool=POOL)
    as_text = text_format.MessageToString(message, descriptor_pool=POOL)
    from_text = text_format.Parse(as_text, type(message)(), descriptor_pool=POOL)
    for again in (from_json, from_text):
        assert value.digest(value.pack(again, POOL), POOL) == before


def test_workplan_json_round_trip_keeps_value_data_digests() -> None:
    """value_data of an answer survives JSON: every entry still digests to
    its key, even when the JSON parser re-serializes the Any's bytes."""
    plan = WorkPlan()
    for options in (
        Options(variant={"os": "linux", "os_version": "22.04", "osx": "no"}),
        Options(suites=["a"], variant={"goma": "1", "goma_fallback": "2"}),
    ):
        ref, data = value.ref_with_data(options)
        plan.value_data[ref.digest.sha256].CopyFrom(data)
    back = json_format.Parse(json_format.MessageToJson(plan), WorkPlan())
    assert set(back.value_data) == set(plan.value_data)
    for key, data in back.value_data.items():
        assert isinstance(data, ValueData)
        assert value.digest(data.binary).sha256 == key
        assert value.canonical(data.binary) == value.canonical(plan.value_data[key].binary)
