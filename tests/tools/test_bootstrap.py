# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""build.py reaches its bootstrap on a fresh checkout, before protobuf exists.

`./build.py all` first imports the task it is asked for, to learn whether
it needs the tools; only then does it install them into tools/venv. So no
task module may import protobuf (or anything else from the venv) at import
time. Here protobuf is made unimportable and every task is loaded.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

LOAD_EVERY_TASK_WITHOUT_PROTOBUF = """
import sys
from importlib.abc import MetaPathFinder


class NoVenv(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("google", "jinja2", "grpc_tools"):
            raise ImportError(f"{name} is in the tools venv, which does not exist yet")
        return None


sys.meta_path.insert(0, NoVenv())
from tools.engine import registry

for name in registry.names():
    print(name, registry.get(name).needs_tools)
"""


def test_every_task_loads_before_the_tools_venv_exists() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", LOAD_EVERY_TASK_WITHOUT_PROTOBUF],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "all True" in proc.stdout.splitlines()
