# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

from pathlib import Path

import pytest

from core.layout import Layout
from tools import deps
from tools import gomod
from tools.errors import BuildError


def test_an_empty_go_module_section_is_refused_before_go_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    go_dir = tmp_path / "go"
    go_dir.mkdir()
    before = "module example.com/m\n\ngo 1.24\n\nrequire google.golang.org/protobuf v1.36.12\n"
    (go_dir / "go.mod").write_text(before)
    (tmp_path / "DEPS").write_text('[python]\nsix = "1.17.0"\n\n[go_module]\n')
    ran: list[list[str]] = []
    monkeypatch.setattr(gomod, "run", lambda cmd, **_: ran.append(cmd))
    with pytest.raises(BuildError) as info:
        gomod.sync(go_dir, deps.load(tmp_path / "DEPS"), Layout(tmp_path))
    assert info.value.message.startswith("DEPS: [go_module] pins no module; it must pin")
    assert ran == []  # no go command, so no network
    assert (go_dir / "go.mod").read_text() == before
