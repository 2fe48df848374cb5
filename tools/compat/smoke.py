# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What a downstream project does first, run inside a fresh venv of the matrix.

`python smoke.py VECTORS_JSON` with the installed wheel only (run from a
folder outside the repository): every module of the distribution is
imported with warnings as errors, the shared vectors are digested and
parsed, a value is looked up, the descriptor bundle is loaded, and one
gRPC call goes through a server on the loopback. It prints one JSON line
naming the runtime it ran on; any failure is a traceback and exit 1.
"""

from __future__ import annotations

import base64
import importlib
import importlib.metadata
import json
import pkgutil
import sys
import warnings
from concurrent import futures
from pathlib import Path
from typing import Any as TypingAny

# Before anything imports protobuf: a gencode/runtime mismatch warns at import.
warnings.simplefilter("error")

from google.protobuf import descriptor_pb2  # noqa: E402
from google.protobuf import descriptor_pool  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from google.protobuf import struct_pb2  # noqa: E402
from google.protobuf.any_pb2 import Any  # noqa: E402
from google.protobuf.internal import api_implementation  # noqa: E402

# The deprecated aliases of 0.1.0's module names: they must warn, once.
DEPRECATED = ("turboci.util.values", "turboci.util.ids")


def import_everything() -> int:
    import turboci

    names = [m.name for m in pkgutil.walk_packages(turboci.__path__, "turboci.")]
    for name in names:
        if name in DEPRECATED:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                importlib.import_module(name)
            kinds = [w.category for w in caught]
            assert kinds == [DeprecationWarning], (name, caught)
        else:
            importlib.import_module(name)
    return len(names)


def vectors(doc: dict[str, TypingAny]) -> int:
    from turboci.graph.ids.v1.identifier_pb2 import Identifier
    from turboci.utils import ids
    from turboci.utils import value

    # Values of type Struct are among the vectors: its module must be loaded.
    assert struct_pb2.Struct.DESCRIPTOR.full_name == "google.protobuf.Struct"
    pool = descriptor_pool.DescriptorPool()
    schema = base64.b64decode(doc["schema_fds_base64"])
    for f in descriptor_pb2.FileDescriptorSet.FromString(schema).file:
        pool.Add(f)
    count = 0
    for v in doc["values"]:
        packed = Any.FromString(bytes.fromhex(v["input_hex"]))
        assert value.canonical(packed, pool).hex() == v["canonical_hex"], v["name"]
        got = value.digest(packed, pool)
        assert (got.sha256, got.size_bytes) == (v["sha256"], v["size_bytes"]), v["name"]
        count += 1
    for v in doc["value_errors"]:
        try:
            value.canonical(Any.FromString(bytes.fromhex(v["input_hex"])), pool)
        except value.CanonicalError as err:
            assert err.kind == v["error"], (v["name"], err.kind)
        else:
            raise AssertionError(f"{v['name']}: no CanonicalError")
        count += 1
    for v in doc["json_values"]:
        from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
        from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
        from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef

        ref = ValueRef(type_url=value.type_url_of(BuildCheckResult))
        ref.digest.sha256 = "ab" * 32
        data = ValueData(has_unknown_fields=v["has_unknown_fields"])
        data.json.type_url, data.json.json = ref.type_url, v["json"]
        answer = {ref.digest.sha256: data}
        value.lookup(ref, answer, BuildCheckResult)
        assert list(value.ignored_fields(ref, answer, BuildCheckResult)) == v["ignored"]
        assert value.is_complete(ref, answer, BuildCheckResult) is v["complete"], v["name"]
        count += 1
    for v in doc["ids"]["valid"]:
        want = json_format.ParseDict(v["id"], Identifier())
        assert ids.parse(v["text"]) == want and ids.format(want) == v["text"], v["text"]
        count += 1
    return count


def lookup() -> None:
    from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
    from turboci.data.build.v1.build_status_pb2 import BuildStatus
    from turboci.utils import value

    ref, data = value.ref_with_data(BuildCheckResult(status=BuildStatus.BUILD_STATUS_SUCCEEDED))
    got = value.lookup(ref, {ref.digest.sha256: data}, BuildCheckResult)
    assert got.status == BuildStatus.BUILD_STATUS_SUCCEEDED


def schema() -> int:
    from turboci.utils import descriptors

    work_plan = "turboci/graph/orchestrator/v1/work_plan.proto"
    found = descriptors.pool().FindFileByName(work_plan)
    assert "WorkPlan" in found.message_types_by_name
    return len(descriptors.file_descriptor_set().file)


def grpc_round_trip() -> str:
    import grpc
    from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
    from turboci.graph.orchestrator.v1.read_work_plan_response_pb2 import ReadWorkPlanResponse

    from turboci.graph.orchestrator.v1 import turbo_ci_orchestrator_service_pb2_grpc as svc

    class Echo(svc.TurboCIOrchestratorServicer):
        def ReadWorkPlan(  # noqa: N802 (the RPC's name)
            self, request: ReadWorkPlanRequest, context: grpc.ServicerContext
        ) -> ReadWorkPlanResponse:
            del context
            response = ReadWorkPlanResponse()
            response.work_plan.id.CopyFrom(request.work_plan)
            return response

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    # The other RPCs keep the generated UNIMPLEMENTED answer (abstract in the .pyi).
    svc.add_TurboCIOrchestratorServicer_to_server(Echo(), server)  # type: ignore[abstract]
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            request = ReadWorkPlanRequest()
            request.work_plan.id = "smoke"
            reply = svc.TurboCIOrchestratorStub(channel).ReadWorkPlan(request, timeout=20)
    finally:
        server.stop(None)
    assert reply.work_plan.id.id == "smoke", reply
    return str(grpc.__version__)


def main(argv: list[str]) -> int:
    doc = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    report = {
        "backend": api_implementation.Type(),
        "protobuf": importlib.metadata.version("protobuf"),
        "googleapis-common-protos": importlib.metadata.version("googleapis-common-protos"),
        "modules": import_everything(),
        "vectors": vectors(doc),
        "bundle_files": schema(),
        "grpcio": grpc_round_trip(),
    }
    lookup()
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
