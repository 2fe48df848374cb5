# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The protoc that writes the Python stubs: DEPS [python_gen], apart from the tools venv.

Python gencode refuses a protobuf runtime older than the protoc that wrote
it, so the protoc of py/ sets the wheel's floor. It is the compiler of an
older grpcio-tools, installed with `pip install --no-deps --target` into
tools/pygen/ and run by the tools venv's Python without its site-packages,
so it never meets the newer grpcio-tools that lint, docs and the Go stubs
use. Only the standard library is used here: this runs before the venv exists.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from core import files
from core import protoc

PACKAGE = "grpcio-tools"
RECORD = "installed.json"

# protoc's entry point from the pinned grpcio-tools alone: `-I -S` keeps the
# tools venv's site-packages (and PYTHONPATH) out, the target folder comes first.
_MAIN = (
    "import sys\n"
    "sys.path.insert(0, sys.argv.pop(1))\n"
    "from grpc_tools import _protoc_compiler\n"
    "sys.exit(_protoc_compiler.run_main([a.encode() for a in ['protoc', *sys.argv[1:]]]))"
)


def _read_record(folder: Path) -> dict[str, object]:
    """What was installed into `folder`; anything unreadable counts as nothing."""
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def fits(folder: Path, version: str, interpreter: dict[str, str]) -> bool:
    """Whether `folder` holds grpcio-tools `version` built for `interpreter`
    (its compiler is an extension module: another Python needs another wheel)."""
    record = _read_record(folder)
    return (
        record.get(PACKAGE) == version
        and _abi(record.get("interpreter")) == _abi(interpreter)
        and (folder / "grpc_tools").is_dir()
    )


def _abi(interpreter: object) -> str | None:
    """What the extension module's wheel depends on: the Python's minor version
    (3.11.2 and 3.11.7 load the same cp311 module; where each lives does not
    matter, and another user of a shared checkout runs it from elsewhere)."""
    if not isinstance(interpreter, dict) or not isinstance(interpreter.get("version"), str):
        return None
    return ".".join(interpreter["version"].split(".")[:2])


def install_command(python: Path, version: str, target: Path, cache: Path) -> list[str]:
    return [
        str(python),
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        "--no-deps",  # the compiler alone: no protobuf or grpcio runtime
        "--only-binary=:all:",
        "--cache-dir",
        str(cache / "pip"),
        "--target",
        str(target),
        f"{PACKAGE}=={version}",
    ]


def remove(path: Path) -> None:
    """Remove `path`, whatever it is; a link goes, never what it points to."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def swap_in(staged: Path, folder: Path, version: str, interpreter: dict[str, str]) -> None:
    """Replace `folder` by the freshly installed `staged` and record what it holds.

    The record is written last: an interrupted install leaves no record
    that claims it, so the next run installs again.
    """
    remove(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged.rename(folder)
    text = json.dumps({PACKAGE: version, "interpreter": interpreter}, indent=2, sort_keys=True)
    files.write_atomic(folder / RECORD, (text + "\n").encode("utf-8"), folder.parent.parent)


def command(python: Path, folder: Path, args: Sequence[str]) -> list[str]:
    """The command line of the Python stubs' protoc. No include path: gen
    hands it every file, the well-known types too, in a descriptor set."""
    return [str(python), "-I", "-S", "-c", _MAIN, str(folder), *args]


def start(python: Path, folder: Path, args: Sequence[str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command(python, folder, args),
        cwd=cwd,
        env=protoc.environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
