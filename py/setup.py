# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Adds the API's .proto files to the wheel, beside the generated stubs.

They live once, in ../turboci of the repository; the wheel carries them so
that downstream protos can import "turboci/..." from the installed package.
Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
API = HERE.parent / "turboci"


class BuildPyWithProtos(build_py):
    def run(self) -> None:
        super().run()
        protos = sorted(API.rglob("*.proto")) if API.is_dir() else []
        if not protos:
            raise SystemExit(
                f"no .proto files in {API}: build turboci-proto from a checkout of the whole "
                "repository (pip install ./py, or git+URL#subdirectory=py)"
            )
        for proto in protos:
            dest = Path(self.build_lib) / "turboci" / proto.relative_to(API)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(proto, dest)


setup(cmdclass={"build_py": BuildPyWithProtos})
