"""The generated Python stubs import, describe themselves and package cleanly."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from google.protobuf import message as message_mod
from google.protobuf import symbol_database

from tests.conftest import REPO

PY = REPO / "py"


def stub_modules() -> list[str]:
    mods = []
    for path in sorted((PY / "turboci").rglob("*_pb2*.py")):
        rel = path.relative_to(PY).with_suffix("")
        mods.append(".".join(rel.parts))
    return mods


@pytest.fixture(autouse=True)
def py_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PY))


def test_there_are_stubs_for_every_proto_and_grpc_for_every_service() -> None:
    protos = sorted(p.relative_to(REPO) for p in (REPO / "turboci").rglob("*.proto"))
    assert protos, "the API has no protos"
    with_service = 0
    for proto in protos:
        stem = PY / proto.parent / f"{proto.stem}_pb2"
        for suffix in (".py", ".pyi"):
            assert Path(f"{stem}{suffix}").exists(), f"{stem}{suffix} missing: run ./build.py gen"
        has_service = "\nservice " in (REPO / proto).read_text()
        with_service += has_service
        for suffix in ("_grpc.py", "_grpc.pyi"):
            assert Path(f"{stem}{suffix}").exists() == has_service, f"{stem}{suffix}"
    assert with_service == 2, "the orchestrator and the executor services"


def test_grpc_stubs_expose_client_and_server() -> None:
    from turboci.graph.orchestrator.v1 import turbo_ci_orchestrator_service_pb2_grpc as svc

    assert hasattr(svc, "TurboCIOrchestratorStub")
    assert hasattr(svc, "TurboCIOrchestratorServicer")
    assert callable(svc.add_TurboCIOrchestratorServicer_to_server)


def test_every_stub_imports_and_every_message_serializes() -> None:
    modules = stub_modules()
    assert modules
    checked = 0
    for name in modules:
        module = importlib.import_module(name)
        if not name.endswith("_pb2"):
            continue
        descriptor = module.DESCRIPTOR
        assert descriptor.name.startswith("turboci/")
        for msg_name in descriptor.message_types_by_name:
            full = f"{descriptor.package}.{msg_name}"
            cls = symbol_database.Default().GetSymbol(full)
            instance = cls()
            assert isinstance(instance, message_mod.Message)
            assert type(instance).FromString(instance.SerializeToString()) == instance
            checked += 1
    assert checked > 0


def test_wheel_carries_typed_stubs(tmp_path: Path) -> None:
    # Build from a copy: setuptools leaves build/ and *.egg-info/ in the source.
    source = tmp_path / "src"
    shutil.copytree(PY, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("turboci_proto-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "turboci/py.typed" in names
    assert any(n.endswith("_pb2.pyi") for n in names)
    assert any(n.endswith("_pb2_grpc.py") for n in names)
    assert all(not n.startswith(("py/", "build/")) for n in names)
