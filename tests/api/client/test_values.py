# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Values fetched by digest, checked and decoded, over real gRPC."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import grpc
import pytest
from google.protobuf import message_factory
from turboci.data.build.v1.build_check_options_pb2 import BuildCheckOptions
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.digest_pb2 import Digest
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.omission_reason_pb2 import OmissionReason
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.testing import Reference
from turboci.utils import descriptors
from turboci.utils import value
from turboci.utils.client import Client
from turboci.utils.client import ValueDigestError
from turboci.utils.value import ValueOmittedError
from turboci.utils.value import ValueTypeError

from tests.api.client.conftest import PY
from tests.api.client.support import check
from tests.api.client.support import create

BIG = BuildCheckOptions(targets=[f"//pkg{i}:target" for i in range(200)])


def _with_options(client: Client, options: BuildCheckOptions) -> tuple[WorkPlanId, ValueRef]:
    wp = create(client, check("a", options=[value.write(options)]))
    query = NodeQuery(
        work_plan=wp,
        nodes=[Identifier(check=CheckId(work_plan=wp, id="a"))],
        include=NodeQuery.Include(inputs=True),
    )
    [node] = client.iter_nodes(query)
    assert isinstance(node, Check)
    return wp, node.options[0]


def test_a_value_is_fetched_in_chunks_and_checked(ref: Reference) -> None:
    client = Client(ref.channel)
    wp, options = _with_options(client, BIG)
    read = client.read_values(wp, [options.digest.sha256], max_chunk_bytes=100)
    assert len(read.data[options.digest.sha256]) == options.digest.size_bytes > 1000
    got = client.lookup(wp, options, BuildCheckOptions)
    assert got == BIG


def test_bytes_that_are_not_the_refs_value_are_refused(ref: Reference) -> None:
    from tests.api.client.support import Tamper

    wp, options = _with_options(Client(ref.channel), BIG)
    tampered = Client(grpc.intercept_channel(grpc.insecure_channel(ref.address), Tamper()))
    with pytest.raises(ValueDigestError):
        tampered.lookup(wp, options, BuildCheckOptions)
    # A ref whose digest names other bytes is refused too, even from value_data.
    wrong = ValueRef()
    wrong.CopyFrom(options)
    wrong.digest.CopyFrom(value.digest(BuildCheckOptions(targets=["//else"])))
    _, data = value.ref_with_data(BIG)
    with pytest.raises(ValueDigestError):
        Client(ref.channel).lookup(wp, wrong, value_data={wrong.digest.sha256: data})


def test_a_value_the_orchestrator_does_not_give_is_omitted(ref: Reference) -> None:
    client = Client(ref.channel)
    wp, options = _with_options(client, BIG)
    unknown = ValueRef(type_url=options.type_url, digest=Digest(sha256="0" * 64, size_bytes=3))
    with pytest.raises(ValueOmittedError) as exc:
        client.lookup(wp, unknown)
    assert exc.value.reason == OmissionReason.OMISSION_REASON_NO_ACCESS


def test_another_type_than_asked_is_a_type_error(ref: Reference) -> None:
    client = Client(ref.channel)
    wp, options = _with_options(client, BIG)
    with pytest.raises(ValueTypeError):
        client.lookup(wp, options, CheckId)


def test_a_dynamic_message_is_written_and_read_back(ref: Reference) -> None:
    cls = message_factory.GetMessageClass(
        descriptors.pool().FindMessageTypeByName(BuildCheckOptions.DESCRIPTOR.full_name)
    )
    dynamic = cls(targets=["//dyn"])
    client = Client(ref.channel)
    wp, options = _with_options(client, dynamic)  # type: ignore[arg-type]
    assert options.digest == value.digest(BuildCheckOptions(targets=["//dyn"]))
    back = client.lookup(wp, options, cls)
    assert type(back) is cls and list(back.targets) == ["//dyn"]  # type: ignore[attr-defined]


# Run without importing the module of the value's type: the client must
# resolve it through the descriptor bundle and hand back a dynamic message.
_NOT_IMPORTED = textwrap.dedent(
    """
    import json, sys
    from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
    from turboci.utils.client import Client

    MODULE = "turboci.data.build.v1.build_check_options_pb2"
    address, wp = sys.argv[1], WorkPlanId(id=sys.argv[2])
    with Client(address, insecure=True) as client:
        [node] = client.iter_work_plan(wp)
        found = client.lookup(wp, node.options[0])
    print(json.dumps({
        "imported": MODULE in sys.modules,
        "type": found.DESCRIPTOR.full_name,
        "module": type(found).__module__,
        "targets": list(found.targets),
    }))
    """
)


def test_lookup_resolves_a_type_not_imported_through_the_bundle(ref: Reference) -> None:
    wp, _ = _with_options(Client(ref.channel), BuildCheckOptions(targets=["//x"]))
    env = {**os.environ, "PYTHONPATH": str(PY)}
    out = subprocess.run(
        [sys.executable, "-c", _NOT_IMPORTED, ref.address, wp.id],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["imported"] is False
    assert got["type"] == "turboci.data.build.v1.BuildCheckOptions"
    assert got["targets"] == ["//x"]


def test_a_type_neither_imported_nor_in_the_bundle_is_named(ref: Reference) -> None:
    from google.protobuf.any_pb2 import Any
    from turboci.graph.orchestrator.v1.value_write_pb2 import ValueWrite

    unknown = Any(type_url="type.googleapis.com/example.v1.Unknown", value=b"\x08\x01")
    client = Client(ref.channel)
    wp = create(client, check("a", options=[ValueWrite(value=unknown)]))
    [node] = client.iter_nodes(NodeQuery(work_plan=wp, include=NodeQuery.Include(inputs=True)))
    assert isinstance(node, Check)
    with pytest.raises(ValueTypeError, match=r"example\.v1\.Unknown is neither imported nor in"):
        client.lookup(wp, node.options[0])


def test_a_digest_of_an_algorithm_not_known_is_refused(ref: Reference) -> None:
    client = Client(ref.channel)
    wp, options = _with_options(client, BIG)
    future = ValueRef()
    future.CopyFrom(options)
    future.digest.algorithm = 99  # type: ignore[assignment]
    with pytest.raises(ValueDigestError, match="algorithm 99"):
        client.lookup(wp, future, BuildCheckOptions)
