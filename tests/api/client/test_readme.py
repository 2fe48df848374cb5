# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The client example of py/README.md runs as written, against the
standalone reference orchestrator (which moves on its own clock)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys

from tests.api.client.conftest import PY

README = (PY / "README.md").read_text(encoding="utf-8")
SECTION = README.split("\n## The client\n", 1)[1].split("\n## ", 1)[0]
[EXAMPLE] = re.findall(r"```python\n(.*?)```", SECTION, re.DOTALL)
ADDRESS = "127.0.0.1:50051"


def test_the_client_example_runs() -> None:
    assert ADDRESS in EXAMPLE
    proc = subprocess.Popen(
        [sys.executable, "-m", "turboci.testing", "serve", "--port", "0"],
        env=dict(os.environ, PYTHONPATH=str(PY)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().rsplit(" ", 1)[1].strip()
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(EXAMPLE.replace(ADDRESS, address), "py/README.md", "exec"), {})
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    assert printed.getvalue().splitlines() == ["hello 1", "CHECK_STATE_FINAL"]
