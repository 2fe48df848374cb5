# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Python and Go agree on the canonical encoding of random values.

The values are drawn with map keys that are prefixes of each other (the
case where upb's deterministic serialization and Go's disagree), non-ASCII
and empty keys, negative numbers and nested Anys. Go's side is
go/internal/cmd/canonical, built from the module and fed every value.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest
from google.protobuf.any_pb2 import Any
from google.protobuf.internal import api_implementation
from google.protobuf.message import Message
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.utils import _canonical
from turboci.utils import value

from core.layout import REPO as LAYOUT
from tests.api.support import REPO
from tests.api.test_vectors import POOL
from tests.api.test_vectors import message_class
from tools import env
from turboci.data.test.v1 import test_check_options_pb2
from turboci.stages.test.v1 import test_stage_args_pb2

# Slow: builds the Go program it compares with and runs it.
pytestmark = pytest.mark.slow

COUNT = 600
SEED = 20261201
WORDS = ["", "o", "os", "os_version", "osx", "goma", "goma_fallback", "\u00e9", "\u00e9_"]
WORDS += ["\uff5a", "\U0001f600", "a"]
Options = test_check_options_pb2.TestCheckOptions
PREFIX = value.TYPE_URL_PREFIX


@pytest.fixture(scope="module")
def go_canonical(tmp_path_factory: pytest.TempPathFactory) -> Path:
    binary = tmp_path_factory.mktemp("go") / "canonical"
    proc = subprocess.run(
        ["go", "build", "-o", str(binary), "./internal/cmd/canonical"],
        cwd=REPO / "go",
        env=env.go_env(LAYOUT, GOFLAGS="-mod=readonly"),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return binary


def key(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return rng.choice(WORDS)
    return "".join(rng.choice("ab_é😀") for _ in range(rng.randrange(4)))


def keys_map(rng: random.Random) -> dict[str, str]:
    return {key(rng): key(rng) for _ in range(rng.randrange(6))}


def node(rng: random.Random, depth: int = 0) -> Message:
    n = message_class("canonvectors.v1.Node")()
    for k, v in keys_map(rng).items():
        getattr(n, "labels")[k] = v  # noqa: B009 (fields of a dynamic type)
    ints = [rng.randrange(-(2**31), 2**31) for _ in range(rng.randrange(4))]
    for i in ints:
        getattr(n, "by_i32")[i] = key(rng)  # noqa: B009
        getattr(n, "by_s64")[i * 3] = key(rng)  # noqa: B009
        getattr(n, "by_u64")[abs(i)] = key(rng)  # noqa: B009
    getattr(n, "packed").extend(ints)  # noqa: B009
    if rng.random() < 0.3:
        getattr(n, "by_bool")[rng.random() < 0.5] = key(rng)  # noqa: B009
    if depth < 2:
        for _ in range(rng.randrange(3)):
            getattr(n, "children")[key(rng)].CopyFrom(node(rng, depth + 1))  # noqa: B009
        if rng.random() < 0.5:
            inner = node(rng, depth + 1)
            packed = getattr(n, "any")  # noqa: B009
            packed.type_url = PREFIX + inner.DESCRIPTOR.full_name
            packed.value = inner.SerializeToString()
    return n


def random_value(rng: random.Random) -> Message:
    kind = rng.randrange(4)
    if kind == 0:
        return Options(suites=[key(rng) for _ in range(rng.randrange(3))], variant=keys_map(rng))
    if kind == 1:
        return BuildStageArgs(builder=key(rng), properties=keys_map(rng))
    if kind == 2:
        return test_stage_args_pb2.TestStageArgs(pool=key(rng), dimensions=keys_map(rng))
    return node(rng)


def test_python_and_go_agree_on_random_values(go_canonical: Path) -> None:
    rng = random.Random(SEED)
    cases: list[bytes] = []
    expected: list[tuple[str, str]] = []
    upb_differs = 0
    for _ in range(COUNT):
        message = random_value(rng)
        # The input is whatever the local backend writes, or scrambled.
        if rng.random() < 0.5:
            body = message.SerializeToString()
        else:
            body = _canonical.scrambled(message, POOL)
        raw = Any(type_url=PREFIX + message.DESCRIPTOR.full_name, value=body).SerializeToString()
        cases.append(raw)
        canonical = value.canonical(Any.FromString(raw), POOL)
        expected.append((canonical.hex(), value.digest(Any.FromString(raw), POOL).sha256))
        upb_differs += message.SerializeToString(deterministic=True) != value.canonical(
            message, POOL
        )
    stdin = "".join(json.dumps({"input_hex": c.hex()}) + "\n" for c in cases)
    proc = subprocess.run(
        [str(go_canonical), str(REPO / "go")], input=stdin, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(results) == COUNT
    disagree = [
        (i, r, e)
        for i, (r, e) in enumerate(zip(results, expected, strict=True))
        if (r.get("canonical_hex"), r.get("sha256")) != e
    ]
    assert not disagree, f"{len(disagree)} of {COUNT} differ, first: {disagree[0]}"
    # The values exercise the case that made digests differ: for many of
    # them upb's own deterministic bytes are not canonical.
    if api_implementation.Type() == "upb":
        assert upb_differs > COUNT // 10, upb_differs


def test_go_reports_values_without_canonical_encoding(go_canonical: Path) -> None:
    unknown = Any(
        type_url=PREFIX + "turboci.data.test.v1.TestCheckOptions", value=b"\x0a\x01a\xf8\x06\x01"
    )
    missing = Any(type_url=PREFIX + "no.such.Type", value=b"\x08\x01")
    stdin = "".join(
        json.dumps({"input_hex": m.SerializeToString().hex()}) + "\n" for m in (unknown, missing)
    )
    proc = subprocess.run(
        [str(go_canonical), str(REPO / "go")], input=stdin, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line) for line in proc.stdout.splitlines()] == [
        {"error": "unknown_fields"},
        {"error": "unresolvable_type"},
    ]
