# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

from pathlib import Path

import pytest

from tools import deps
from tools.errors import BuildError

GOOD = """\
# pins
[python]
buf-bin = "1.75.0"   # buf

[go_tools]
"google.golang.org/protobuf/cmd/protoc-gen-go" = "v1.36.12"

[go_module]
"google.golang.org/protobuf" = "v1.36.12"
"""


def parse(text: str) -> deps.Deps:
    return deps.parse(text, Path("DEPS"))


def error_of(text: str) -> str:
    with pytest.raises(BuildError) as info:
        parse(text)
    return info.value.message


def test_parses_every_section_with_lines() -> None:
    d = parse(GOOD)
    assert d.python["buf-bin"].version == "1.75.0"
    assert d.python["buf-bin"].line == 3
    pin = d.go_tools["google.golang.org/protobuf/cmd/protoc-gen-go"]
    assert (pin.version, pin.line) == ("v1.36.12", 6)
    assert d.version("go_module", "google.golang.org/protobuf") == "v1.36.12"


def test_the_repo_deps_parses() -> None:
    d = deps.load(Path(__file__).resolve().parents[2] / "DEPS")
    assert {"buf-bin", "grpcio-tools", "protobuf", "mypy-protobuf"} <= set(d.python)
    assert any(m.endswith("protoc-gen-go-grpc") for m in d.go_tools)


def test_toml_syntax_error_names_line_and_column() -> None:
    msg = error_of('[python]\nbuf-bin = "1.75.0\n')
    assert msg.startswith("DEPS:2:")
    assert "\n" not in msg


def test_unquoted_version_is_refused_with_an_example() -> None:
    msg = error_of("[python]\nbuf-bin = 1.75\n")
    assert msg.startswith("DEPS:2: buf-bin: the version must be a quoted string")


def test_go_version_without_v_is_refused() -> None:
    msg = error_of('[go_tools]\n"google.golang.org/x/tool" = "1.2.3"\n')
    assert msg.startswith("DEPS:2:") and "v1.2.3" in msg


def test_pip_option_as_name_is_refused() -> None:
    assert "not a valid python name" in error_of('[python]\n"--index-url" = "1"\n')


def test_unknown_section_is_named() -> None:
    assert "unknown section [cargo]" in error_of('[cargo]\nserde = "1.0.0"\n')


def test_npm_pins_are_checked_like_the_others() -> None:
    assert "is not a valid npm name" in error_of('[npm]\n"Left Pad" = "1.0.0"\n')
    assert "is not a valid version (e.g. 1.2.3)" in error_of('[npm]\nleft-pad = "latest"\n')


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="not found"):
        deps.load(tmp_path / "DEPS")
