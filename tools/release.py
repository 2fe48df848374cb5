# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Builds the Python release (sdist and wheel) and proves it is reproducible.

Everything is built in a scratch copy of py/ and turboci/ (no leftovers of
py/build/ can slip in), with SOURCE_DATE_EPOCH at the last commit's time:
the sdist, the wheel from the checkout, then the wheel again from the
sdist alone. The two wheels must be byte-identical, and the metadata of
both artifacts must name the version of turboci/_version.py and carry
every .proto file.
"""

from __future__ import annotations

import ast
import email.parser
import re
import shutil
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.layout import Layout
from tools import env
from tools import untar
from tools.errors import BuildError
from tools.run import output_of
from tools.run import run

NAME = "turboci-proto"
# The PEP 517 hooks of setuptools, run by the tools venv's Python.
_HOOK = (
    "import sys\n"
    "from setuptools import build_meta\n"
    "print(getattr(build_meta, sys.argv[1])(sys.argv[2]))\n"
)

Say = Callable[[str], None]


@dataclass(frozen=True)
class Release:
    version: str
    epoch: str
    sdist: Path
    wheel: Path


def version(layout: Layout) -> str:
    """turboci.__version__, read without importing the package."""
    path = layout.py / "turboci" / "_version.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise BuildError(f"{layout.rel(path)}: cannot be read: {exc}") from None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["__version__"]
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise BuildError(f'{layout.rel(path)}: no `__version__ = "X.Y.Z"` line')


_ENTRY = re.compile(r"^## (\S+)(.*)$", re.M)
_DATED = re.compile(r" — \d{4}-\d{2}-\d{2}")


def changelog_problem(layout: Layout, ver: str) -> str | None:
    """Why CHANGELOG.md's newest entry does not announce release `ver`, if it does not."""
    path = layout.root / "CHANGELOG.md"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"CHANGELOG.md: cannot be read: {exc}"
    entry = _ENTRY.search(text)
    if entry is None or entry.group(1) != ver:
        found = entry.group(0) if entry else "no entry"
        return f"CHANGELOG.md: the newest entry is {found!r}, not version {ver}: add it"
    if not _DATED.fullmatch(entry.group(2)):
        return (
            f"CHANGELOG.md:{text.count(chr(10), 0, entry.start()) + 1}: the entry of {ver} is "
            f"not dated: write `## {ver} — YYYY-MM-DD` to cut the release"
        )
    return None


def commit_time(layout: Layout) -> str:
    proc = run(["git", "log", "-1", "--format=%ct"], cwd=layout.root, what="git")
    out = proc.stdout.strip()
    if proc.returncode != 0 or not out.isdigit():
        raise BuildError(
            f"cannot read the last commit's time ({output_of(proc) or 'no commit'}); "
            "a release is cut from a commit of a git checkout"
        )
    return out


def _copy_sources(layout: Layout, dest: Path) -> Path:
    """py/ (without build leftovers) and the API's .proto files, side by side."""

    def leftovers(folder: str, names: list[str]) -> set[str]:
        # py/build and py/dist only: turboci/data/build is a package.
        top = {"build", "dist"} if Path(folder) == layout.py else set()
        return {n for n in names if n in top or n == "__pycache__" or n.endswith(".egg-info")}

    shutil.copytree(layout.py, dest / "py", ignore=leftovers)
    for proto in sorted((layout.root / "turboci").rglob("*.proto")):
        target = dest / proto.relative_to(layout.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(proto, target)
    return dest / "py"


def _env(layout: Layout, epoch: str) -> dict[str, str]:
    return {**env.build_env(layout.tool_cache), "SOURCE_DATE_EPOCH": epoch}


def _hook(layout: Layout, hook: str, source: Path, out: Path, epoch: str) -> Path:
    out.mkdir(parents=True)
    proc = run(
        [str(layout.venv_python()), "-c", _HOOK, hook, str(out)],
        cwd=source,
        env=_env(layout, epoch),
        what="python",
    )
    if proc.returncode != 0:
        raise BuildError(f"{hook} failed: {output_of(proc)}")
    return out / proc.stdout.strip().splitlines()[-1]


def first_difference(a: Path, b: Path) -> str | None:
    """Where two wheels differ (an entry, its bytes or its stamp), or None."""
    if a.read_bytes() == b.read_bytes():
        return None
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        names_a, names_b = za.namelist(), zb.namelist()
        if names_a != names_b:
            extra = sorted(set(names_a) ^ set(names_b))
            return f"entries differ ({', '.join(extra[:3]) or 'their order'})"
        for name in names_a:
            ia, ib = za.getinfo(name), zb.getinfo(name)
            if za.read(name) != zb.read(name):
                return f"{name}: contents differ"
            if (ia.date_time, ia.external_attr) != (ib.date_time, ib.external_attr):
                return f"{name}: time or mode differs ({ia.date_time} vs {ib.date_time})"
    return "the archives differ outside their entries"


def package_files(layout: Layout) -> set[str]:
    """What both artifacts must carry, as paths inside the package's tree:
    every module and stub of py/turboci, and every .proto file."""
    tree = layout.py / "turboci"
    files = {
        p.relative_to(layout.py).as_posix()
        for pattern in ("*.py", "*.pyi", "py.typed", "*.binpb.gz")
        for p in tree.rglob(pattern)
        if "__pycache__" not in p.parts
    }
    protos = (layout.root / "turboci").rglob("*.proto")
    return files | {p.relative_to(layout.root).as_posix() for p in protos}


def check_metadata(rel: Release, expected: set[str]) -> None:
    """Both artifacts name the version, and carry every file of `expected`."""
    with zipfile.ZipFile(rel.wheel) as whl:
        names = whl.namelist()
        meta_name = next((n for n in names if n.endswith(".dist-info/METADATA")), None)
        if meta_name is None:
            raise BuildError(f"{rel.wheel.name}: no .dist-info/METADATA")
        meta = email.parser.Parser().parsestr(whl.read(meta_name).decode("utf-8"))
    with tarfile.open(rel.sdist) as tar:
        top = f"turboci_proto-{rel.version}/"
        members = {m.name.removeprefix(top) for m in tar.getmembers()}
        try:
            pkg_info = tar.extractfile(top + "PKG-INFO")
        except KeyError:
            pkg_info = None
        if pkg_info is None:
            raise BuildError(f"{rel.sdist.name}: no {top}PKG-INFO")
        sdist_meta = email.parser.Parser().parsestr(pkg_info.read().decode("utf-8"))
    for what, m in ((rel.wheel.name, meta), (rel.sdist.name, sdist_meta)):
        if (m["Name"], m["Version"]) != (NAME, rel.version):
            raise BuildError(
                f"{what}: names {m['Name']} {m['Version']}, expected {NAME} {rel.version}"
            )
        if not m.get_all("Requires-Dist"):
            raise BuildError(f"{what}: no Requires-Dist: the dependencies are lost")
    for what, have in ((rel.wheel.name, set(names)), (rel.sdist.name, members)):
        lost = sorted(expected - have)
        if lost:
            raise BuildError(f"{what}: lacks {len(lost)} file(s) of the package, e.g. {lost[0]}")


def build(layout: Layout, scratch: Path, say: Say) -> Release:
    """Build and check the release in `scratch`; return where its artifacts are."""
    ver = version(layout)
    epoch = commit_time(layout)
    py = _copy_sources(layout, scratch / "src")
    say(f"building {NAME} {ver} (SOURCE_DATE_EPOCH={epoch}, the last commit's time)")
    sdist = _hook(layout, "build_sdist", py, scratch / "sdist", epoch)
    wheel = _hook(layout, "build_wheel", py, scratch / "wheel", epoch)
    unpacked = scratch / "unpacked"
    untar.extract(sdist, unpacked)
    again = _hook(
        layout, "build_wheel", unpacked / f"turboci_proto-{ver}", scratch / "again", epoch
    )
    diff = first_difference(wheel, again)
    if diff is not None:
        raise BuildError(f"the wheel built from the sdist differs from the first: {diff}")
    rel = Release(ver, epoch, sdist, wheel)
    check_metadata(rel, package_files(layout))
    return rel
