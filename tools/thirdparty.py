# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Fills google/ with the third-party protos the API imports.

They come from the pinned googleapis-common-protos package, never from hand:
git ignores the copies and google/README.md says where they come from.
"""

from __future__ import annotations

import errno
import importlib.util
from pathlib import Path

from core import files
from core.layout import Layout
from tools.errors import BuildError

# The googleapis protos the API may import. Add a path here to make another
# one available; the compiler's "File not found" names what is missing.
WANTED = ("google/api/field_behavior.proto",)
# What the package holds beside the first of WANTED, and a copy never does.
_MODULE = "field_behavior_pb2.py"


def package_root() -> Path:
    """The site-packages folder that holds googleapis-common-protos' google/."""
    spec = importlib.util.find_spec("google.api")
    if spec is None or not spec.submodule_search_locations:
        raise BuildError(
            "googleapis-common-protos is not installed in tools/venv; run ./build.py again "
            "to install what DEPS pins"
        )
    for location in spec.submodule_search_locations:
        root = Path(location).parent.parent
        # The package's folder, known by its generated module: a checkout on
        # sys.path (tests run with it) makes its own google/ copies a location
        # of the same namespace, and those are no source of themselves.
        if (root / WANTED[0]).exists() and (root / WANTED[0]).with_name(_MODULE).exists():
            return root
    raise BuildError("googleapis-common-protos has no google/api protos; check its pin in DEPS")


def sync(layout: Layout) -> list[str]:
    """Copy every wanted proto whose content differs; return what was copied."""
    return _sync(layout, fall_back=False)[0]


def includes(layout: Layout) -> list[Path]:
    """sync(), then what the compile must add to its include path: nothing, or,
    where a copy is missing and the checkout cannot be written (another
    user's), the package's own folder, which holds the same bytes."""
    return _sync(layout, fall_back=True)[1]


def _sync(layout: Layout, fall_back: bool) -> tuple[list[str], list[Path]]:
    src_root = package_root()
    copied: list[str] = []
    extra: list[Path] = []
    for rel in WANTED:
        src = src_root / rel
        if not src.exists():
            raise BuildError(
                f"{rel} is not in the pinned googleapis-common-protos; "
                "remove it from tools/thirdparty.py WANTED or change the pin in DEPS"
            )
        data = src.read_bytes()
        dest = layout.root / rel
        try:
            if dest.is_file() and dest.read_bytes() == data:
                continue
            files.write_atomic(dest, data, layout.root)
        except files.OutsideRootError as exc:
            raise BuildError(str(exc)) from None
        except OSError as exc:
            if not fall_back or dest.exists() or not _denied(exc):
                raise BuildError(f"{rel}: cannot write the copy: {exc.strerror}") from None
            extra = [src_root]
            continue
        copied.append(rel)
    return copied, extra


def _denied(exc: OSError) -> bool:
    return exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
