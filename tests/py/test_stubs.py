# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The generated Python stubs import, describe themselves and package cleanly."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
import tomllib
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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built as `pip install ./py` builds it, from a copy of the
    repository's py/ and turboci/ (setuptools leaves build/ and *.egg-info/
    in the source)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    shutil.copytree(PY, source / "py", ignore=shutil.ignore_patterns("build", "*.egg-info"))
    shutil.copytree(REPO / "turboci", source / "turboci")
    shutil.copy(REPO / "LICENSE", source / "LICENSE")
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
            str(tmp),
            str(source / "py"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return next(tmp.glob("turboci_proto-*.whl"))


def test_wheel_carries_typed_stubs_helpers_and_protos(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "turboci/py.typed" in names
    assert any(n.endswith("_pb2.pyi") for n in names)
    assert any(n.endswith("_pb2_grpc.py") for n in names)
    helpers = {"value.py", "ids.py", "lifecycle.py", "_lifecycle.py", "descriptors.py"}
    assert {f"turboci/utils/{h}" for h in helpers} <= set(names)
    bundle = "turboci/utils/turboci.binpb.gz"
    assert zipfile.ZipFile(wheel).read(bundle) == (PY / bundle).read_bytes()
    assert all(not n.startswith(("py/", "build/", "tests/")) for n in names)
    protos = {p.relative_to(REPO).as_posix() for p in (REPO / "turboci").rglob("*.proto")}
    assert protos == {n for n in names if n.endswith(".proto")}


def test_wheel_metadata(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        meta_name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        meta = z.read(meta_name).decode()
        license_name = next(n for n in z.namelist() if n.endswith("licenses/LICENSE"))
        assert z.read(license_name) == (REPO / "LICENSE").read_bytes()
    headers = [line for line in meta.splitlines() if ": " in line]
    requires = {line.split(": ", 1)[1] for line in headers if line.startswith("Requires-Dist")}
    # The protobuf floor is the runtime the generated code checks for.
    gencode = re.search(
        r"ValidateProtobufRuntimeVersion\(\s*_runtime_version.Domain.PUBLIC,\s*(\d+),\s*(\d+),\s*(\d+),",
        (PY / "turboci/graph/orchestrator/v1/digest_pb2.py").read_text(),
    )
    assert gencode is not None
    floor = ".".join(gencode.groups())
    assert f"protobuf<8,>={floor}" in requires or f"protobuf>={floor},<8" in requires, requires
    assert any(r.startswith("grpcio") and 'extra == "grpc"' in r for r in requires), requires
    for stub in ("types-protobuf", "types-grpcio"):
        assert any(r.startswith(stub) and 'extra == "typing"' in r for r in requires), requires
    assert not any(r.startswith("grpcio") and "extra" not in r for r in requires)
    assert "License-Expression: BSD-3-Clause" in headers
    assert any(h.startswith("Summary: ") for h in headers)
    assert any(h.startswith("Project-URL: ") for h in headers)


def test_one_version_and_a_changelog_entry_for_it(wheel: Path) -> None:
    import turboci

    project = tomllib.loads((PY / "pyproject.toml").read_text())
    assert "version" not in project["project"]  # read from turboci/_version.py
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "turboci._version.__version__"
    }
    version = turboci.__version__
    assert wheel.name.startswith(f"turboci_proto-{version}-")
    changelog = (REPO / "CHANGELOG.md").read_text()
    first = re.search(r"^## (\S+)", changelog, re.MULTILINE)
    assert first is not None and first.group(1) == version
    # Released entries are dated; only the newest may still be unreleased.
    heads = re.findall(r"^## (.*)$", changelog, re.MULTILINE)
    assert re.fullmatch(r"\S+ (\(unreleased\)|— \d{4}-\d{2}-\d{2})", heads[0]), heads[0]
    for head in heads[1:]:
        assert re.fullmatch(r"\S+ — \d{4}-\d{2}-\d{2}", head), head
