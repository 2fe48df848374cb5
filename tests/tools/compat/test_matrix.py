# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The runtime matrix: the floors py/pyproject.toml states are the ones tested.

The slow tests install the wheel into fresh venvs at each case's versions
(pip's cache in tools/cache) and run tools/compat/smoke.py there with both
protobuf backends; one case below the floors must fail, so the matrix is
known to tell.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from tests.conftest import REPO
from tools.compat import matrix
from tools.errors import BuildError

PY = REPO / "py"


def test_floors_are_read_from_pyproject() -> None:
    low = matrix.floors()
    assert set(low) >= {"protobuf", "grpcio", "googleapis-common-protos"}
    assert all(re.fullmatch(r"\d+(\.\d+)+", v) for v in low.values()), low


def test_the_floor_case_is_the_stated_floors() -> None:
    floor = next(c for c in matrix.cases() if c.name == "floor")
    low = matrix.floors()
    assert (floor.protobuf, floor.grpcio, floor.common_protos) == (
        low["protobuf"],
        low["grpcio"],
        low["googleapis-common-protos"],
    )
    assert floor.grpcio_status == floor.grpcio  # the grpc extra beside its status package
    assert (floor.types_protobuf, floor.types_grpcio) == (
        low["types-protobuf"],
        low["types-grpcio"],
    )


def test_the_grpcio_floor_is_what_the_grpc_stubs_check_for() -> None:
    stubs = sorted((PY / "turboci").rglob("*_pb2_grpc.py"))
    assert stubs
    for stub in stubs:
        found = re.search(r"^GRPC_GENERATED_VERSION = '([^']+)'$", stub.read_text(), re.M)
        assert found is not None and found.group(1) == matrix.floors()["grpcio"], stub


def test_every_supported_protobuf_major_has_its_newest_case() -> None:
    majors = {c.protobuf.split(".")[0] for c in matrix.cases() if c.name.startswith("newest-")}
    ceiling = re.search(r'"protobuf>=(\d+)\.[\d.]+,<(\d+)"', (PY / "pyproject.toml").read_text())
    assert ceiling is not None
    assert majors == {str(m) for m in range(int(ceiling.group(1)), int(ceiling.group(2)))}


def test_an_unknown_case_is_refused_not_skipped() -> None:
    with pytest.raises(SystemExit) as info:
        matrix.main(["--case", "nope"])
    assert info.value.code == 2


def test_a_release_that_cannot_be_built_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(out: Path) -> Path:
        raise BuildError('py/turboci/_version.py: no `__version__ = "X.Y.Z"` line')

    monkeypatch.setattr(matrix, "build_wheel", broken)
    assert matrix.main(["--case", "floor"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "_version.py: no `__version__" in err, err
    assert "Traceback" not in err


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return matrix.build_wheel(tmp_path_factory.mktemp("dist"))


@pytest.mark.slow  # a venv and a pip install each (from tools/cache after the first run)
@pytest.mark.parametrize("case", matrix.cases(), ids=lambda c: c.name)
def test_case_passes_on_both_backends(case: matrix.Case, wheel: Path, tmp_path: Path) -> None:
    reports = matrix.run_case(case, wheel, tmp_path, lambda _: None)
    assert [r["backend"] for r in reports] == list(matrix.BACKENDS)
    for report in reports:
        assert (report["protobuf"], report["grpcio"], report["googleapis-common-protos"]) == (
            case.protobuf,
            case.grpcio,
            case.common_protos,
        )
        modules = len(list((PY / "turboci").rglob("*.py")))
        assert report["modules"] == modules - 1  # all but turboci/__init__.py itself


@pytest.mark.slow
def test_a_protobuf_below_the_floor_fails(wheel: Path, tmp_path: Path) -> None:
    floor = matrix.floors()
    below = matrix.Case("below", "6.31.0", floor["grpcio"], floor["googleapis-common-protos"])
    with pytest.raises(RuntimeError, match=r"gencode 6\.31\.1 runtime 6\.31\.0"):
        matrix.run_case(below, wheel, tmp_path, lambda _: None, below_floors=True)


@pytest.mark.slow
def test_type_stubs_below_the_floor_fail_mypy(wheel: Path, tmp_path: Path) -> None:
    floor = next(c for c in matrix.cases() if c.name == "floor")
    below = dataclasses.replace(floor, name="below", types_protobuf="6.32.1.20260221")
    with pytest.raises(RuntimeError, match='untyped function "FindFileByName"'):
        matrix.run_case(below, wheel, tmp_path, lambda _: None, below_floors=True)
