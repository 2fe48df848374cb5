# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import os
import threading
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


def test_unknown_section_is_named_at_its_line_with_the_nearest() -> None:
    assert error_of('[python]\n\n[cargo]\nserde = "1.0.0"\n') == (
        "DEPS:3:1: unknown table [cargo]; known: " + ", ".join(sorted(deps.SECTIONS))
    )
    # A misspelled section would pin nothing: it is named with the one meant.
    assert error_of('# pins\n[go_tool]\n"a.b/c" = "v1.0.0"\n') == (
        "DEPS:2:1: unknown table [go_tool]; did you mean [go_tools]?"
    )
    assert error_of('pyhton.pytest = "1"\n') == (
        "DEPS:1:1: unknown table [pyhton]; did you mean [python]?"
    )
    assert error_of('pytest = "1"\n') == (
        "DEPS:1:1: unknown key `pytest`; known: " + ", ".join(sorted(deps.SECTIONS))
    )


def test_npm_pins_are_checked_like_the_others() -> None:
    assert "is not a valid npm name" in error_of('[npm]\n"Left Pad" = "1.0.0"\n')
    assert "is not a valid version (e.g. 1.2.3)" in error_of('[npm]\nleft-pad = "latest"\n')


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="not found"):
        deps.load(tmp_path / "DEPS")


@pytest.mark.parametrize(
    "text",
    [
        '[python]\nbuf-bin = "1.75.0\\n"\n',
        '[python]\n"buf-bin\\n" = "1.75.0"\n',
        '[go_tools]\n"google.golang.org/x/tool" = "v1.2.3\\n"\n',
        '[go_module]\n"google.golang.org/x\\n" = "v1.2.3"\n',
        '[npm]\nleft-pad = "1.0.0\\n"\n',
    ],
)
def test_a_trailing_newline_in_a_name_or_version_is_refused(text: str) -> None:
    msg = error_of(text)
    assert msg.startswith("DEPS:2: ") and "is not a valid" in msg


def test_many_pins_parse_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lines come from one pass over the text (20,000 pins parse in 0.2 s,
    # bench/RESULTS.md); the search per key, quadratic, is for odd keys only.
    searched: list[str] = []

    def search(text: str, key: str) -> int:
        searched.append(key)
        return 1

    monkeypatch.setattr(deps, "_line_of", search)
    text = "[python]\n" + "".join(f'pkg{i} = "1.0.{i}"  # c\n' for i in range(20_000))
    text += '\n[go_module]\n"example.com/m" = "v1.0.0"\n'
    d = parse(text)
    assert len(d.python) == 20_000
    assert (d.python["pkg0"].line, d.python["pkg19999"].line) == (2, 20_001)
    assert d.go_module["example.com/m"].line == 20_004
    assert searched == []


def test_a_key_is_found_in_its_own_section() -> None:
    d = parse('[python]\nsix = "1.0"\n\n[npm]\nsix = "1.0.0"\n')
    assert (d.python["six"].line, d.npm["six"].line) == (2, 5)


def test_a_key_with_escapes_gets_its_line() -> None:
    assert error_of('[python]\n\n"a\\u0020b" = "1"\n').startswith("DEPS:3: 'a b' is not")


def load_error(path: Path) -> str:
    """load()'s error, from a thread: a load that blocks fails the test, not hangs it."""
    result: list[str] = []

    def load() -> None:
        try:
            deps.load(path)
        except BuildError as exc:
            result.append(exc.message)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(timeout=20)
    if thread.is_alive():
        # Unblock an open() stuck on a FIFO, then fail.
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"{path}: load() blocked")
    assert result, f"{path}: load() raised no BuildError"
    return result[0]


def test_a_folder_fifo_or_non_utf8_deps_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "folder" / "DEPS"
    folder.mkdir(parents=True)
    fifo = tmp_path / "fifo" / "DEPS"
    fifo.parent.mkdir()
    os.mkfifo(fifo)  # opened for reading, a FIFO with no writer blocks forever
    latin = tmp_path / "latin" / "DEPS"
    latin.parent.mkdir()
    latin.write_bytes(b'[python]\n# caf\xe9\nsix = "1.0"\n')
    wanted = {
        folder: "DEPS: a folder; ",
        fifo: "DEPS: not a regular file (a FIFO, socket or device); ",
        latin: "DEPS:2: not UTF-8 text",
    }
    for path, start in wanted.items():
        message = load_error(path)
        assert message.startswith(start), message
        assert "\n" not in message


def test_go_pins_the_toolchain_and_the_directive() -> None:
    d = parse('[go]\ntoolchain = "go1.25.14"\ndirective = "1.25.0"\n')
    assert (d.version("go", "toolchain"), d.version("go", "directive")) == ("go1.25.14", "1.25.0")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[go]\ntoolchain = "1.25.14"\n', "DEPS:2: toolchain: '1.25.14' is not a valid version"),
        ('[go]\ndirective = "go1.25.0"\n', "DEPS:2: directive: 'go1.25.0' is not a valid version"),
        ('[go]\ntoolchain = "go1.25; rm -rf /"\n', "DEPS:2: toolchain: 'go1.25; rm -rf /' is"),
        ('[go]\nversion = "go1.25.0"\n', "DEPS:2: [go] pins only toolchain (the Go build.py runs)"),
    ],
    ids=["toolchain-without-go", "directive-with-go", "shell", "unknown-key"],
)
def test_a_bad_go_pin_is_refused_with_its_line(text: str, message: str) -> None:
    assert error_of(text).startswith(message)
