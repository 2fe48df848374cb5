"""Fixtures of the API tests: the compiled API and its documented lifecycles.

Without generated stubs in py/ only test_stubs.py runs, and it says what to
do; the other modules would only fail to import.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.support import MARKER
from tests.api.support import REPO

LIFECYCLE_ENUMS = ("CheckState", "StageState", "StageAttemptState")

collect_ignore_glob = [] if MARKER.exists() else ["test_[!s]*.py"]


def _googleapis_root() -> Path:
    # google/api/*.proto ship in googleapis-common-protos next to the Python
    # modules of the same names.
    spec = importlib.util.find_spec("google.api.field_behavior_pb2")
    assert spec is not None and spec.origin, "googleapis-common-protos is not installed"
    return Path(spec.origin).resolve().parents[2]


@pytest.fixture(scope="session")
def api_descriptors(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The API compiled with source info (comments), as a FileDescriptorSet."""
    import grpc_tools

    out = tmp_path_factory.mktemp("api") / "api.binpb"
    builtin = Path(grpc_tools.__file__).parent / "_proto"
    files = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "turboci").rglob("*.proto"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{REPO}",
            f"-I{_googleapis_root()}",
            f"-I{builtin}",
            "--include_imports",
            "--include_source_info",
            f"--descriptor_set_out={out}",
            *files,
        ],
        check=True,
        cwd=REPO,
        capture_output=True,
    )
    return out.read_bytes()


@pytest.fixture(scope="session")
def lifecycles(api_descriptors: bytes) -> dict[str, dict[str, set[str]]]:
    """For each lifecycle enum: every state and the states its comment says
    it may move to ("Next states: ..."), read from the compiled protos."""
    from google.protobuf.descriptor_pb2 import FileDescriptorSet

    fds = FileDescriptorSet.FromString(api_descriptors)
    found: dict[str, dict[str, set[str]]] = {}
    for f in fds.file:
        comments = {tuple(loc.path): loc.leading_comments for loc in f.source_code_info.location}
        for i, enum in enumerate(f.enum_type):
            if enum.name not in LIFECYCLE_ENUMS:
                continue
            states: dict[str, set[str]] = {}
            for j, value in enumerate(enum.value):
                if value.number == 0:
                    continue
                last = comments.get((5, i, 2, j), "").strip().splitlines()[-1].strip()
                m = re.fullmatch(r"Next states: (.+)\.", last)
                assert m, f"{value.name}: comment must end with 'Next states: ...', got {last!r}"
                states[value.name] = set() if m[1] == "none" else set(m[1].split(", "))
            found[enum.name] = states
    assert set(found) == set(LIFECYCLE_ENUMS)
    return found
