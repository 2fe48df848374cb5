# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Reads DEPS, the one file of pinned versions, as data."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from core import inputs
from core import toml_keys
from tools.errors import BuildError

# A pip requirement name and a Go module path, loosely: enough to refuse
# pins that would be read as pip options or shell syntax. Always matched
# whole (fullmatch): `$` also matches before a final newline.
_PY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_PY_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+!_-]*")
_GO_PATH = re.compile(r"[a-z0-9.-]+(/[A-Za-z0-9._~-]+)+")
_GO_VERSION = re.compile(r"v\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?")
# [go]: the toolchain build.py runs (go1.25.14) and go.mod's directive (1.25.0).
_GO_RELEASES = {
    "toolchain": re.compile(r"go1\.\d+(\.\d+)?"),
    "directive": re.compile(r"1\.\d+(\.\d+)?"),
}
_GO_KEY = re.compile("|".join(_GO_RELEASES))
_NPM_NAME = re.compile(r"(@[a-z0-9~-][a-z0-9._~-]*/)?[a-z0-9~-][a-z0-9._~-]*")
_NPM_VERSION = re.compile(r"\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?")
_PY_HINT = "e.g. 1.2.3"
_GO_HINT = "a Go version looks like v1.2.3"
# Per section: its names, its versions ([go]: per key, in _GO_RELEASES), the
# hint of a bad version.
_RULES: dict[str, tuple[re.Pattern[str], re.Pattern[str] | None, str]] = {
    "python": (_PY_NAME, _PY_VERSION, _PY_HINT),
    "python_gen": (_PY_NAME, _PY_VERSION, _PY_HINT),
    "go": (_GO_KEY, None, "a Go release looks like go1.25.14, a directive like 1.25.0"),
    "go_tools": (_GO_PATH, _GO_VERSION, _GO_HINT),
    "go_module": (_GO_PATH, _GO_VERSION, _GO_HINT),
    "npm": (_NPM_NAME, _NPM_VERSION, _PY_HINT),
}
SECTIONS = tuple(_RULES)


@dataclass(frozen=True)
class Pin:
    section: str
    name: str
    version: str
    line: int

    def where(self, deps_path: Path) -> str:
        return f"{deps_path.name}:{self.line}"


@dataclass(frozen=True)
class Deps:
    path: Path
    python: dict[str, Pin] = field(default_factory=dict)
    python_gen: dict[str, Pin] = field(default_factory=dict)
    go: dict[str, Pin] = field(default_factory=dict)
    go_tools: dict[str, Pin] = field(default_factory=dict)
    go_module: dict[str, Pin] = field(default_factory=dict)
    npm: dict[str, Pin] = field(default_factory=dict)

    def version(self, section: str, name: str) -> str:
        pins: dict[str, Pin] = getattr(self, section)
        if name not in pins:
            raise BuildError(f"{self.path.name}: [{section}] has no pin for {name!r}; add one")
        return pins[name].version


_TABLE_LINE = re.compile(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?")
_KEY_LINE = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


def _unescaped(quoted: str) -> str:
    """A basic-string key's escapes resolved, as tomllib reads them."""
    try:
        value = tomllib.loads(f'k = "{quoted}"')["k"]
    except tomllib.TOMLDecodeError:
        return quoted
    return value if isinstance(value, str) else quoted


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """(section, key) -> 1-based line of its first assignment, in one pass
    (tomllib keeps no positions; a search per key made 20,000 pins take a minute)."""
    out: dict[tuple[str, str], int] = {}
    section = ""
    for number, line in enumerate(text.split("\n"), 1):
        table = _TABLE_LINE.fullmatch(line)
        if table:
            section = table.group(1)
            continue
        key = _KEY_LINE.match(line)
        if key:
            name = next(g for g in key.groups() if g is not None)
            if key.group(1) and "\\" in name:
                name = _unescaped(name)
            out.setdefault((section, name), number)
    return out


def _line_of(text: str, key: str) -> int:
    """1-based line where `key` is assigned, for a key the one-pass index missed
    (a dotted key, say): a search of its own."""
    pattern = re.compile(r'^\s*"?' + re.escape(key) + r'"?\s*=', re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def parse(text: str, path: Path) -> Deps:
    """Parse DEPS text; every problem is a BuildError naming the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends in "(at line L, column C)"; move it to the front.
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)$", msg)
        if m:
            msg = msg[: m.start()].strip()
            raise BuildError(f"{path.name}:{m.group(1)}:{m.group(2)}: {msg}") from None
        raise BuildError(f"{path.name}: {msg}") from None
    for key, value in data.items():
        if key not in SECTIONS:
            # A misspelled section would otherwise pin nothing, silently.
            line, col = toml_keys.locate(text, (), key)
            what = toml_keys.unknown(key, SECTIONS, table=isinstance(value, dict))
            raise BuildError(f"{path.name}:{line}:{col}: {what}")
    lines = _key_lines(text)
    sections: dict[str, dict[str, Pin]] = {}
    for section in SECTIONS:
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise BuildError(f"{path.name}: {section} must be a table: [{section}]")
        pins: dict[str, Pin] = {}
        for name, version in table.items():
            line = lines.get((section, name)) or _line_of(text, name)
            if not isinstance(version, str):
                raise BuildError(
                    f"{path.name}:{line}: {name}: the version must be a quoted string, "
                    f'e.g. {name} = "1.2.3"'
                )
            name_ok, version_ok, hint = _RULES[section]
            if not name_ok.fullmatch(name):
                if section == "go":
                    raise BuildError(
                        f"{path.name}:{line}: [go] pins only toolchain (the Go build.py "
                        f"runs) and directive (go.mod's go line), not {name!r}"
                    )
                raise BuildError(f"{path.name}:{line}: {name!r} is not a valid {section} name")
            if not (version_ok or _GO_RELEASES[name]).fullmatch(version):
                raise BuildError(
                    f"{path.name}:{line}: {name}: {version!r} is not a valid version ({hint})"
                )
            pins[name] = Pin(section, name, version, line)
        sections[section] = pins
    return Deps(path=path, **sections)


def _read(path: Path) -> bytes:
    """DEPS's bytes; anything but a regular file is refused without blocking
    (inputs.read_regular never waits on a FIFO)."""
    try:
        return inputs.read_regular(path)
    except FileNotFoundError:
        raise BuildError(f"{path}: not found; the repo root must hold a DEPS file") from None
    except IsADirectoryError:
        raise BuildError(
            f"{path.name}: a folder; it must be the file of pinned versions (see git log DEPS)",
            exit_code=2,
        ) from None
    except inputs.NotRegularError:
        raise BuildError(
            f"{path.name}: not a regular file (a FIFO, socket or device); "
            "it must be the file of pinned versions (see git log DEPS)",
            exit_code=2,
        ) from None
    except PermissionError as exc:
        raise BuildError(
            f"{path.name}: cannot be read: {exc.strerror}; fix its permissions", exit_code=2
        ) from None
    except OSError as exc:
        raise BuildError(f"{path.name}: cannot be read: {exc.strerror}", exit_code=2) from None


def load(path: Path) -> Deps:
    data = _read(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BuildError(f"{path.name}:{line}: not UTF-8 text; DEPS must be UTF-8") from None
    return parse(text, path)
