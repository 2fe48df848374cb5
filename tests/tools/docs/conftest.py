"""Compiles the fixture protos the docs tests read."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

PROTOS = Path(__file__).parent / "protos"
SHOP_FILES = (
    "shop/ids/v1/order_id.proto",
    "shop/orders/v1/order.proto",
    "shop/orders/v1/order_state.proto",
    "shop/orders/v1/orders_service.proto",
)

Compile = Callable[[Path, tuple[str, ...]], Path]


def _includes() -> list[str]:
    import grpc_tools

    well_known = Path(grpc_tools.__file__).parent / "_proto"
    # googleapis-common-protos ships google/api/field_behavior.proto.
    spec = importlib.util.find_spec("google.api")
    assert spec is not None and spec.submodule_search_locations
    googleapis = Path(next(iter(spec.submodule_search_locations))).parent.parent
    return [f"-I{well_known}", f"-I{googleapis}"]


def compile_protos(root: Path, files: tuple[str, ...], out: Path) -> Path:
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"-I{root}",
        *_includes(),
        "--include_imports",
        "--include_source_info",
        f"--descriptor_set_out={out}",
        *files,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def shop_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shop") / "shop.binpb"
    return compile_protos(PROTOS, SHOP_FILES, out)


@pytest.fixture
def compile_tree(tmp_path: Path) -> Compile:
    """Writes nothing itself: compiles `files` under `root` into tmp_path."""

    def run(root: Path, files: tuple[str, ...]) -> Path:
        return compile_protos(root, files, tmp_path / "set.binpb")

    return run
