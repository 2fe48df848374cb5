"""Compiles the fixture protos the docs tests read.

A plain module rather than a conftest.py: mypy checks tests/ as one tree and
allows only one module named conftest.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

PROTOS = Path(__file__).parent / "protos"
SHOP_FILES = (
    "shop/ids/v1/order_id.proto",
    "shop/orders/v1/order.proto",
    "shop/orders/v1/order_state.proto",
    "shop/orders/v1/orders_service.proto",
)


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
