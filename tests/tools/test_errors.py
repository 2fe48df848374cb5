# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

from tools.errors import format_error


def test_messages_with_a_place_print_as_they_are() -> None:
    assert format_error("turboci/a.proto:3:5: Expected ;") == "turboci/a.proto:3:5: Expected ;"
    assert format_error("DEPS:4: could not install x") == "DEPS:4: could not install x"


def test_other_messages_are_marked_as_errors() -> None:
    assert format_error("go not found on PATH") == "error: go not found on PATH"
    assert format_error("DEPS: not UTF-8 text") == "error: DEPS: not UTF-8 text"
