# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Installs the pins of DEPS into tools/ and remembers what it installed.

Only the standard library is used here: this runs before the venv exists.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core import files
from core.layout import REPO
from core.layout import Layout as CheckoutLayout
from tools import env
from tools import pygen
from tools.deps import Deps
from tools.deps import Pin
from tools.engine import lock
from tools.errors import BuildError

Say = Callable[[str], None]


@dataclass(frozen=True)
class Layout:
    """Where the tools go: the venv, the Go binaries and the install record;
    and the installers' caches."""

    venv: Path = REPO.venv
    gobin: Path = REPO.gobin
    record: Path = REPO.installed
    cache: Path = REPO.tool_cache
    pygen: Path = REPO.tools / "pygen"

    def python(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin") / "python"


def _shown(path: Path) -> str:
    """A path as the user knows it: repo-relative when inside the repo."""
    return REPO.rel(path)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _read_installed(path: Path) -> dict[str, dict[str, str]]:
    """The install record; anything unreadable or of the wrong shape counts as
    nothing installed (so the pins are installed again), never as an error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        section: {k: v for k, v in pins.items() if isinstance(k, str) and isinstance(v, str)}
        for section, pins in data.items()
        if isinstance(section, str) and isinstance(pins, dict)
    }


def _write_installed(path: Path, data: dict[str, dict[str, str]]) -> None:
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    files.write_atomic(path, text.encode("utf-8"), path.parent.parent)


def _last_meaningful_line(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if ln.startswith("ERROR:") or "no matching" in ln.lower() or "go: " in ln:
            return ln.removeprefix("ERROR: ")
    return lines[-1] if lines else "(no output)"


# What pip and go print when the index or proxy cannot be reached at all
# (then "no such version" is only what they conclude from an empty answer).
# The most telling first: go says "dial tcp ...: connection refused".
_OFFLINE = (
    "temporary failure in name resolution",
    "name or service not known",
    "nodename nor servname provided",
    "no such host",
    "network is unreachable",
    "no route to host",
    "connection refused",
    "i/o timeout",
    "failed to establish a new connection",
    "connecttimeouterror",
    "proxyerror",
    "dial tcp",
)


def offline_reason(output: str) -> str | None:
    """The words in installer output that say the network is unreachable, if any."""
    lowered = output.lower()
    return next((words for words in _OFFLINE if words in lowered), None)


def interpreter() -> dict[str, str]:
    """The Python running this, as the install record names the one that built the venv."""
    # The base interpreter: from inside a venv, the one that venv was made from.
    base = getattr(sys, "_base_executable", None) or sys.executable
    return {"version": platform.python_version(), "executable": os.path.realpath(base)}


def venv_fits(layout: Layout, installed: dict[str, dict[str, str]]) -> bool:
    """Whether the venv exists and was built by the Python running now.

    Run from inside the venv it trivially was. Run by another Python (say
    `python3.11 build.py` after a first run with another 3.11), the venv is
    made again, so the tools are tested on the Python the user chose. A
    record from before interpreters were recorded is taken at its word.
    """
    inside = Path(sys.prefix).resolve() == layout.venv.resolve()
    try:
        present = layout.python().exists()
    except OSError:
        # Its interpreter lies in a folder this user cannot enter (another
        # user's Python, on a shared checkout): usable only as it is being used.
        return inside
    if not present:
        return False
    if inside:
        return True
    built_by = installed.get("interpreter")
    return built_by is None or built_by == interpreter()


def go_binary(module: str, gobin: Path = REPO.gobin) -> Path:
    return gobin / module.rsplit("/", 1)[-1]


def missing(
    deps: Deps,
    installed: dict[str, dict[str, str]],
    venv_ok: bool,
    gobin: Path = REPO.gobin,
    pygen_dir: Path = REPO.tools / "pygen",
) -> list[Pin]:
    """Pins that are not installed at the pinned version."""
    out: list[Pin] = []
    py_done = installed.get("python", {}) if venv_ok else {}
    for pin in deps.python.values():
        if py_done.get(pin.name) != pin.version:
            out.append(pin)
    for pin in deps.python_gen.values():
        if not venv_ok or not pygen.fits(pygen_dir, pin.version, interpreter()):
            out.append(pin)
    go_done = installed.get("go_tools", {})
    for pin in deps.go_tools.values():
        if go_done.get(pin.name) != pin.version or not go_binary(pin.name, gobin).exists():
            out.append(pin)
    return out


def _create_venv(layout: Layout, say: Say) -> None:
    version = platform.python_version()
    # Debian and Ubuntu ship ensurepip (which puts pip in a venv) separately.
    if importlib.util.find_spec("ensurepip") is None:
        raise BuildError(
            f"{sys.executable} (Python {version}) cannot make the tools venv: it lacks "
            "ensurepip; install it (Debian/Ubuntu: apt install python3-venv) or run "
            "./build.py with another Python 3.11+"
        )
    say(f"creating the tools venv in {_shown(layout.venv)}/ with Python {version}")
    # A child process, so the installers' environment (tools.env) applies to it.
    proc = subprocess.run(
        [sys.executable, "-m", "venv", "--clear", str(layout.venv)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env.install_env(layout.cache),
    )
    if proc.returncode != 0:
        detail = _last_meaningful_line(proc.stderr + proc.stdout)
        raise BuildError(f"{_shown(layout.venv)}: could not create the tools venv: {detail}")


def _pip_install(pins: list[Pin], deps: Deps, layout: Layout, say: Say) -> None:
    py = layout.python()
    reqs = [f"{p.name}=={p.version}" for p in pins]
    say(f"installing {', '.join(reqs)} into {_shown(layout.venv)}")
    proc = _run_pip(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            "--cache-dir",
            str(layout.cache / "pip"),
            *reqs,
        ],
        layout,
    )
    if proc.returncode == 0:
        return
    detail = _last_meaningful_line(proc.stderr + proc.stdout)
    # Name the pin pip choked on when it says so; otherwise name them all.
    culprit = next((p for p in pins if f"{p.name}=={p.version}" in detail), None)
    where = culprit.where(deps.path) if culprit else deps.path.name
    what = f'{culprit.name} = "{culprit.version}"' if culprit else ", ".join(reqs)
    raise _pip_failure(where, what, proc)


def _run_pip(cmd: list[str], layout: Layout) -> subprocess.CompletedProcess[str]:
    # pip's output may hold bytes of any encoding (a proxy's page): never a decode error.
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env.install_env(layout.cache),
    )


def _pip_failure(where: str, what: str, proc: subprocess.CompletedProcess[str]) -> BuildError:
    """The one line that says why pip could not install `what` (pinned at `where`)."""
    output = proc.stderr + proc.stdout
    offline = offline_reason(output)
    if offline:
        return BuildError(
            f"{where}: could not install {what}: the package index is unreachable "
            f"({offline}); connect to the network (or set PIP_INDEX_URL, HTTPS_PROXY) and rerun"
        )
    detail = _last_meaningful_line(output)
    return BuildError(
        f"{where}: could not install {what}: {detail} (check that the version exists on PyPI)"
    )


def _pygen_install(pin: Pin, deps: Deps, layout: Layout, say: Say) -> None:
    """The Python stubs' protoc (tools/pygen.py), staged beside its folder, then swapped in."""
    if pin.name != pygen.PACKAGE:
        raise BuildError(
            f"{pin.where(deps.path)}: [python_gen] pins only {pygen.PACKAGE} "
            f"(the protoc of the Python stubs), not {pin.name}"
        )
    say(f"installing {pin.name}=={pin.version} into {_shown(layout.pygen)} (Python stubs' protoc)")
    staged = layout.pygen.with_name(layout.pygen.name + ".new")
    pygen.remove(staged)  # a leftover of an interrupted install
    cmd = pygen.install_command(layout.python(), pin.version, staged, layout.cache)
    proc = _run_pip(cmd, layout)
    if proc.returncode != 0:
        shutil.rmtree(staged, ignore_errors=True)
        raise _pip_failure(pin.where(deps.path), f'{pin.name} = "{pin.version}"', proc)
    pygen.swap_in(staged, layout.pygen, pin.version, interpreter())


def _go_install(pin: Pin, deps: Deps, layout: Layout, say: Say) -> None:
    say(f"installing {pin.name}@{pin.version} into {_shown(layout.gobin)}")
    go_env = env.go_env(REPO, GOBIN=str(layout.gobin), GOFLAGS="-mod=mod")
    proc = subprocess.run(
        ["go", "install", f"{pin.name}@{pin.version}"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=go_env,
        cwd=layout.gobin.parent,
    )
    if proc.returncode != 0:
        detail = _last_meaningful_line(proc.stderr + proc.stdout)
        where = f"{pin.where(deps.path)}: could not install {pin.name}@{pin.version}"
        offline = offline_reason(proc.stderr + proc.stdout)
        if offline:
            raise BuildError(
                f"{where}: the Go module proxy is unreachable ({offline}); connect to the "
                "network (or set GOPROXY, HTTPS_PROXY) and rerun"
            )
        raise BuildError(
            f"{where}: {detail} (check that the version exists on the Go module proxy)"
        )


def ensure(deps: Deps, say: Say = _say, layout: Layout | None = None) -> list[Pin]:
    """Install every pin that is missing or at another version; return them."""
    layout = layout or Layout()
    installed = _read_installed(layout.record)
    if not missing(deps, installed, venv_fits(layout, installed), layout.gobin, layout.pygen):
        return []
    # Installing writes tools/: one writer per checkout (then look again:
    # the run we waited for may have installed everything).
    with lock.held(CheckoutLayout(layout.record.parent.parent), "tool install", say):
        return _install(deps, say, layout)


def _install(deps: Deps, say: Say, layout: Layout) -> list[Pin]:
    installed = _read_installed(layout.record)
    venv_ok = venv_fits(layout, installed)
    todo = missing(deps, installed, venv_ok, layout.gobin, layout.pygen)
    if not todo:
        return []
    if not venv_ok:
        _create_venv(layout, say)
        installed["python"] = {}
        installed["interpreter"] = interpreter()
    py_todo = [p for p in todo if p.section == "python"]
    if py_todo:
        _pip_install(py_todo, deps, layout, say)
        done = installed.setdefault("python", {})
        done.update({p.name: p.version for p in py_todo})
        # Forget pins that left DEPS so a later re-add reinstalls them.
        for name in list(done):
            if name not in deps.python:
                del done[name]
        _write_installed(layout.record, installed)
    for pin in (p for p in todo if p.section == "python_gen"):
        _pygen_install(pin, deps, layout, say)
    for pin in (p for p in todo if p.section == "go_tools"):
        layout.gobin.mkdir(parents=True, exist_ok=True)
        _go_install(pin, deps, layout, say)
        installed.setdefault("go_tools", {})[pin.name] = pin.version
        _write_installed(layout.record, installed)
    return todo


def versions_key(deps: Deps) -> str:
    """A string that changes whenever any pinned version changes (for caches)."""
    parts = [
        f"{p.section}:{p.name}={p.version}"
        for s in ("python", "python_gen", "go", "go_tools", "go_module")
        for p in getattr(deps, s).values()
    ]
    return "\n".join(sorted(parts))
