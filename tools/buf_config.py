# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Whether buf.yaml is one buf can use, asked of buf itself before anything is written."""

from __future__ import annotations

from core import inputs
from core.layout import Layout
from tools.errors import BuildError
from tools.run import start

# A buf.yaml is a few kilobytes; anything near this is not one.
MAX_BYTES = 1024 * 1024


def require_regular(layout: Layout) -> None:
    """A one-line error when buf.yaml is not a regular file: buf would wait
    forever on a FIFO. A missing one is buf's to judge."""
    try:
        inputs.read_regular(layout.buf_yaml, MAX_BYTES)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BuildError(
            f"{layout.rel(layout.buf_yaml)}: {inputs.read_error(exc, 'buf.yaml')}",
            exit_code=2,
        ) from None


def check(layout: Layout) -> None:
    """A one-line error when buf cannot read buf.yaml's lint or breaking config."""
    require_regular(layout)
    buf = str(layout.venv_bin("buf"))
    procs = [
        start(
            [buf, "config", what, "--configured-only", "--config", str(layout.buf_yaml)],
            cwd=layout.root,
        )
        for what in ("ls-lint-rules", "ls-breaking-rules")
    ]
    # Both side by side (each is a Go start-up), and both waited for before a failure is raised.
    answers = [(proc.communicate()[1], proc.returncode) for proc in procs]
    for stderr, code in answers:
        if code != 0:
            lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
            detail = lines[-1].removeprefix("Failure: ") if lines else "buf refused it"
            raise BuildError(f"{layout.rel(layout.buf_yaml)}: {detail}; fix buf.yaml", exit_code=2)
