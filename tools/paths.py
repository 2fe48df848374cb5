"""Where things live in the repo; every other module asks here."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / "tools"
VENV = TOOLS / "venv"
GOBIN = TOOLS / "bin"
INSTALLED = TOOLS / "installed.json"
DEPS = REPO / "DEPS"
CACHE = REPO / ".cache"
PROTO_ROOTS = ("turboci",)
GOOGLE = REPO / "google"
GO_DIR = REPO / "go"
PY_DIR = REPO / "py"
DOCS_DIR = REPO / "docs"
GO_MODULE = "go.chromium.org/turboci/proto/go"


# Go's module and build caches, and pip's, live in the repo too: build.py
# installs nothing outside it, and `clean --tools` removes all of it.
TOOL_CACHE = TOOLS / "cache"


def tool_env() -> dict[str, str]:
    """The environment for the tools build.py runs (buf, protoc and its plugins).

    They are short-lived Go programs: without a garbage collector until the
    heap nears 1 GiB they spend a fifth less CPU, and still stay bounded on a
    large tree. A value the user set wins.
    """
    env = dict(os.environ)
    env.setdefault("GOGC", "off")
    env.setdefault("GOMEMLIMIT", "1GiB")
    return env


def go_env(**extra: str) -> dict[str, str]:
    """The environment for every go command build.py runs."""
    env = dict(os.environ)
    env.update(
        GOMODCACHE=str(TOOL_CACHE / "gomod"),
        GOCACHE=str(TOOL_CACHE / "gobuild"),
        GOWORK="off",  # a go.work elsewhere must not change what is resolved
        GOTOOLCHAIN="local",  # use the Go on PATH; never download another
    )
    env.update(extra)
    return env


def venv_bin(name: str) -> Path:
    """Path of an executable installed into the tools venv."""
    sub = "Scripts" if os.name == "nt" else "bin"
    return VENV / sub / name


def venv_python() -> Path:
    return venv_bin("python")
