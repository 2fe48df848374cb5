# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Looking up, writing and digesting values (turboci.utils.value)."""

from __future__ import annotations

import hashlib
import json

import pytest
from google.protobuf import json_format
from google.protobuf import text_format
from google.protobuf.any_pb2 import Any
from turboci.data.build.v1.build_check_options_pb2 import BuildCheckOptions
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.data.build.v1.build_status_pb2 import BuildStatus
from turboci.graph.orchestrator.v1.digest_pb2 import DigestAlgorithm
from turboci.graph.orchestrator.v1.json_value_pb2 import JsonValue
from turboci.graph.orchestrator.v1.omission_reason_pb2 import OmissionReason
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.utils import value as values

from tests.api.support import REPO
from turboci.data.test.v1 import test_check_options_pb2

# Not imported by name: pytest would take a class called Test* for tests.
Options = test_check_options_pb2.TestCheckOptions

RESULT = BuildCheckResult(status=BuildStatus.BUILD_STATUS_SUCCEEDED, failure_summary="")
OPTIONS = Options(suites=["base_unittests"], variant={"os": "linux", "cpu": "x86-64"})


def answer(
    *messages: BuildCheckResult | Options,
) -> tuple[list[ValueRef], dict[str, ValueData]]:
    """References and a value_data map as the orchestrator would send them."""
    refs: list[ValueRef] = []
    data: dict[str, ValueData] = {}
    for message in messages:
        ref, entry = values.ref_with_data(message)
        refs.append(ref)
        data[ref.digest.sha256] = entry
    return refs, data


def test_lookup_returns_the_typed_message() -> None:
    refs, data = answer(RESULT, OPTIONS)
    assert values.lookup(refs[0], data, BuildCheckResult) == RESULT
    assert values.lookup(refs[1], data, Options) == OPTIONS


def test_lookup_reads_json_encoded_data() -> None:
    digest = values.digest(OPTIONS)
    type_url = values.type_url_of(Options)
    ref = ValueRef(type_url=type_url, digest=digest)
    data = {
        digest.sha256: ValueData(
            json=JsonValue(type_url=type_url, json=json_format.MessageToJson(OPTIONS))
        )
    }
    assert values.lookup(ref, data, Options) == OPTIONS


@pytest.mark.parametrize("reason", [r for r in OmissionReason.values() if r])
def test_omitted_value_raises_with_the_reason(reason: OmissionReason.ValueType) -> None:
    ref = ValueRef(
        type_url=values.type_url_of(BuildCheckResult),
        digest=values.digest(RESULT),
        omitted=reason,
    )
    with pytest.raises(values.ValueOmittedError, match=OmissionReason.Name(reason)) as err:
        values.lookup(ref, {}, BuildCheckResult)
    assert err.value.reason == reason


def test_wrong_type_is_an_error() -> None:
    refs, data = answer(RESULT)
    with pytest.raises(
        values.ValueTypeError, match=r"not a turboci\.data\.build\.v1\.BuildCheckOptions"
    ):
        values.lookup(refs[0], data, BuildCheckOptions)


def test_missing_data_is_an_error() -> None:
    refs, _ = answer(RESULT)
    with pytest.raises(values.ValueMissingError, match="not in value_data"):
        values.lookup(refs[0], {}, BuildCheckResult)
    with pytest.raises(values.ValueMissingError, match="neither a digest"):
        values.lookup(ValueRef(type_url=refs[0].type_url), {}, BuildCheckResult)


def test_find_picks_by_type() -> None:
    refs, data = answer(RESULT, OPTIONS)
    assert values.find(refs, data, Options) == OPTIONS
    assert values.find(refs, data, BuildCheckOptions) is None


def test_find_does_not_hide_omissions() -> None:
    ref = ValueRef(
        type_url=values.type_url_of(BuildCheckResult),
        omitted=OmissionReason.OMISSION_REASON_NO_ACCESS,
    )
    with pytest.raises(values.ValueOmittedError):
        values.find([ref], {}, BuildCheckResult)


def test_digest_is_sha256_of_the_canonical_any() -> None:
    digest = values.digest(OPTIONS)
    data = values.canonical(values.pack(OPTIONS))
    assert digest.sha256 == hashlib.sha256(data).hexdigest()
    assert digest.size_bytes == len(data)
    assert digest.algorithm == DigestAlgorithm.DIGEST_ALGORITHM_CANONICAL_SHA256
    # Map order must not change the digest.
    reordered = Options(suites=["base_unittests"], variant={"cpu": "x86-64", "os": "linux"})
    assert values.digest(reordered) == digest
    # An Any is the packed value: the same digest, whatever bytes it holds.
    packed = Any()
    packed.Pack(OPTIONS)
    assert values.digest(packed) == digest


def test_write_packs_the_canonical_encoding() -> None:
    write = values.write(RESULT, realm="chromium:try")
    assert write.realm == "chromium:try"
    assert write.value.type_url == values.type_url_of(BuildCheckResult)
    assert write.value.value == values.canonical(RESULT)
    assert not values.write(RESULT).HasField("realm")


def test_ref_with_data_points_at_its_data() -> None:
    ref, data = values.ref_with_data(OPTIONS, realm="chromium:try")
    assert ref.realm == "chromium:try"
    assert ref.type_url == values.type_url_of(Options)
    assert ref.digest == values.digest(OPTIONS)
    assert values.digest(data.binary) == ref.digest
    assert values.lookup(ref, {ref.digest.sha256: data}, Options) == OPTIONS


def test_lookup_with_bad_json_is_an_error() -> None:
    ref, _ = values.ref_with_data(OPTIONS)
    bad = ValueData(json=JsonValue(type_url=ref.type_url, json="{not json"))
    with pytest.raises(values.ValueLookupError, match="bad JSON"):
        values.lookup(ref, {ref.digest.sha256: bad}, Options)


def test_lookup_with_bytes_that_do_not_parse_is_an_error() -> None:
    ref, data = values.ref_with_data(OPTIONS)
    data.binary.value = b"\xff\xff\xff"  # a truncated varint: not a message at all
    with pytest.raises(values.ValueLookupError, match="bad bytes"):
        values.lookup(ref, {ref.digest.sha256: data}, Options)


def test_data_of_another_type_than_the_ref_claims() -> None:
    ref, data = values.ref_with_data(OPTIONS)
    ref.type_url = values.type_url_of(BuildCheckResult)
    with pytest.raises(values.ValueTypeError):
        values.lookup(ref, {ref.digest.sha256: data}, BuildCheckResult)


def test_errors_stay_distinct() -> None:
    kinds = (values.ValueOmittedError, values.ValueMissingError, values.ValueTypeError)
    for a in kinds:
        for b in kinds:
            assert issubclass(a, b) == (a is b)
        assert issubclass(a, values.ValueLookupError)


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="wants a ValueRef"):
        values.lookup("ref", {}, Options)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="protobuf message"):
        values.digest({"os": "linux"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="protobuf message"):
        values.write(b"bytes")  # type: ignore[arg-type]


# JSON written by a newer schema (go/testdata/vectors.json "json_values",
# which Go's value tests read too).
def _json_vectors() -> list[dict[str, object]]:
    doc = json.loads((REPO / "go" / "testdata" / "vectors.json").read_text(encoding="utf-8"))
    vectors: list[dict[str, object]] = doc["json_values"]
    return vectors


def _json_answer(vector: dict[str, object]) -> tuple[ValueRef, dict[str, ValueData]]:
    assert vector["type"] == BuildCheckResult.DESCRIPTOR.full_name
    data = ValueData(
        json=JsonValue(type_url=values.type_url_of(BuildCheckResult), json=str(vector["json"])),
        has_unknown_fields=bool(vector["has_unknown_fields"]),
    )
    ref = ValueRef(type_url=values.type_url_of(BuildCheckResult))
    ref.digest.sha256 = "ab" * 32
    return ref, {ref.digest.sha256: data}


@pytest.mark.parametrize("vector", _json_vectors(), ids=lambda v: str(v["name"]))
def test_json_of_a_newer_schema_is_looked_up_with_its_new_fields_ignored(
    vector: dict[str, object],
) -> None:
    ref, answer = _json_answer(vector)
    got = values.lookup(ref, answer, BuildCheckResult)
    assert text_format.MessageToString(got) == vector["text"]
    assert list(values.ignored_fields(ref, answer, BuildCheckResult)) == vector["ignored"]
    assert values.is_complete(ref, answer, BuildCheckResult) is vector["complete"]
    if vector["sha256"] is None:
        with pytest.raises(values.ValueIncompleteError, match="fetch it as binary"):
            values.digest_of_data(ref, answer, BuildCheckResult)
    else:
        assert values.digest_of_data(ref, answer, BuildCheckResult).sha256 == vector["sha256"]
        # The same digest as the binary form of the same values.
        assert values.digest(values.pack(got)).sha256 == vector["sha256"]


def test_binary_data_keeps_fields_of_a_newer_schema_and_is_complete() -> None:
    ref, data = values.ref_with_data(BuildCheckResult(failure_summary="x"))
    # A field number this schema does not define (99, varint 7).
    data.binary.value += b"\x98\x06\x07"
    answer = {ref.digest.sha256: data}
    got = values.lookup(ref, answer, BuildCheckResult)
    assert got.failure_summary == "x"
    assert values.ignored_fields(ref, answer, BuildCheckResult) == ()
    assert values.is_complete(ref, answer, BuildCheckResult)
    assert got.SerializeToString().endswith(b"\x98\x06\x07")  # kept, not dropped
    # The canonical encoding needs the schema of every field: no digest either.
    with pytest.raises(values.CanonicalError) as err:
        values.digest_of_data(ref, answer, BuildCheckResult)
    assert err.value.kind == "unknown_fields"
