# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Compiles the fixture protos the docs tests read.

A plain module rather than a conftest.py: mypy checks tests/ as one tree and
allows only one module named conftest.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from core.cached_compile import Compiled
from core.cached_compile import compile_files

PROTOS = Path(__file__).parent / "protos"
SHOP_FILES = (
    "shop/ids/v1/order_id.proto",
    "shop/orders/v1/order.proto",
    "shop/orders/v1/order_state.proto",
    "shop/orders/v1/orders_service.proto",
)


def googleapis() -> Path:
    """The folder of googleapis-common-protos' google/api/*.proto (field_behavior)."""
    spec = importlib.util.find_spec("google.api")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))).parent.parent


def compile_protos(root: Path, files: tuple[str, ...], cache: Path | None = None) -> Compiled:
    """`files` (root-relative) compiled as the build compiles the API; the
    well-known types come with core.protoc. Without a `cache` folder protoc's
    scratch files go under `root`/.cache, so a tree in the repo gets one."""
    return compile_files(root, files, includes=[googleapis()], cache=cache)


def compile_shop(tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    """The shop protos, with the compile's scratch and cache outside the repo."""
    return compile_protos(PROTOS, SHOP_FILES, tmp_path_factory.mktemp("shop-cache"))
