# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""core.errors: every command line maps an error to its line and exit status here."""

from __future__ import annotations

import io

import pytest

from core import errors
from core.errors import UserError
from core.inputs import InputError
from core.protoc import CompileError


def _run(exc: BaseException) -> tuple[int, str]:
    def body() -> int:
        raise exc

    err = io.StringIO()
    return errors.guarded(body, err, "prog", lambda line: f"x/{line}"), err.getvalue()


@pytest.mark.parametrize(
    "exc, code, text",
    [
        (UserError(["a.proto:1:2: bad", "plain"]), 2, "x/a.proto:1:2: bad\nerror: x/plain\n"),
        (UserError("one", exit_code=1), 1, "error: x/one\n"),
        (CompileError(["a.proto:1:1: no"]), 2, "x/a.proto:1:1: no\n"),
        (InputError(["a: a FIFO"]), 2, "error: x/a: a FIFO\n"),
        (PermissionError(13, "Permission denied", "f"), 2, "error: f: Permission denied; "),
        (KeyboardInterrupt(), 130, "interrupted\n"),
        (ValueError("oops"), 3, "error: internal error in prog: ValueError: oops (rerun"),
    ],
)
def test_each_error_has_one_line_and_its_status(
    exc: BaseException, code: int, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TURBOCI_DEBUG", raising=False)
    got_code, got = _run(exc)
    assert got_code == code and got.startswith(text)


def test_a_bug_shows_its_traceback_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURBOCI_DEBUG", "1")
    with pytest.raises(ValueError):
        _run(ValueError("oops"))
