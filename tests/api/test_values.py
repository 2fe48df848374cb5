"""Looking up values in answers (turboci.util.values)."""

from __future__ import annotations

import hashlib

import pytest
from google.protobuf import json_format
from turboci.data.build.v1.build_check_options_pb2 import BuildCheckOptions
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.data.build.v1.build_status_pb2 import BuildStatus
from turboci.graph.orchestrator.v1.json_value_pb2 import JsonValue
from turboci.graph.orchestrator.v1.omission_reason_pb2 import OmissionReason
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.util import values

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
        digest = values.digest_of(message)
        refs.append(ValueRef(type_url=values.type_url_of(type(message)), digest=digest))
        data[digest.sha256] = ValueData(binary=values.pack(message))
    return refs, data


def test_lookup_returns_the_typed_message() -> None:
    refs, data = answer(RESULT, OPTIONS)
    assert values.lookup(refs[0], data, BuildCheckResult) == RESULT
    assert values.lookup(refs[1], data, Options) == OPTIONS


def test_lookup_reads_json_encoded_data() -> None:
    digest = values.digest_of(OPTIONS)
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
        digest=values.digest_of(RESULT),
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


def test_digest_is_sha256_of_the_deterministic_any() -> None:
    digest = values.digest_of(OPTIONS)
    data = values.pack(OPTIONS).SerializeToString(deterministic=True)
    assert digest.sha256 == hashlib.sha256(data).hexdigest()
    assert digest.size_bytes == len(data)
    # Map order must not change the digest.
    reordered = Options(suites=["base_unittests"], variant={"cpu": "x86-64", "os": "linux"})
    assert values.digest_of(reordered) == digest


def test_value_write_packs_the_message() -> None:
    write = values.value_write(RESULT, realm="chromium:try")
    assert write.realm == "chromium:try"
    assert write.value.type_url == values.type_url_of(BuildCheckResult)
    assert not values.value_write(RESULT).HasField("realm")
