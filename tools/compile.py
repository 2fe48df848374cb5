"""The one compile of the API that the build steps share.

protoc turns every .proto under turboci/ into a FileDescriptorSet with
source info and imports. The result is cached under .cache/ on the content
of the inputs and the protoc version, so an unchanged tree compiles once.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from tools import deps
from tools import paths
from tools import protoc
from tools import stamps
from tools import thirdparty
from tools.errors import BuildError


@dataclass(frozen=True)
class Compiled:
    """A descriptor set on disk and the repo-relative files it was built from."""

    descriptor_set: Path
    files: tuple[str, ...]
    key: str


def proto_files(root: Path = paths.REPO) -> tuple[str, ...]:
    """Every API .proto, repo-relative with forward slashes, sorted."""
    found: list[str] = []
    for top in paths.PROTO_ROOTS:
        base = root / top
        if base.is_dir():
            found += [p.relative_to(root).as_posix() for p in base.rglob("*.proto")]
    return tuple(sorted(found))


def protoc_version() -> str:
    # The pin, not importlib.metadata: build.py installed exactly this version,
    # and reading DEPS is ten times cheaper.
    return deps.load_cached(paths.DEPS).version("python", "grpcio-tools")


def compile_api(root: Path = paths.REPO, cache: Path | None = None) -> Compiled:
    """Compile the API (cached); raise the compiler's errors as a BuildError."""
    cache = cache or root / ".cache"
    thirdparty.sync(root)
    files = proto_files(root)
    if not files:
        raise BuildError(f"no .proto files under {', '.join(paths.PROTO_ROOTS)}/; add one")
    third = tuple(thirdparty.WANTED)
    key = stamps.digest_files(
        [root / rel for rel in files + third], root, extra="protoc " + protoc_version()
    )
    out = cache / "compile" / f"{key}.binpb"
    if out.exists():
        return Compiled(out, files, key)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        protoc.run(
            [
                "-I.",  # relative, so diagnostics name repo-relative paths
                "--include_imports",
                "--include_source_info",
                f"--descriptor_set_out={tmp}",
                *files,
            ],
            cwd=root,
        )
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    # Old compiles are of no use once the tree has moved on.
    for stale in out.parent.glob("*.binpb"):
        if stale != out:
            stale.unlink(missing_ok=True)
    return Compiled(out, files, key)
