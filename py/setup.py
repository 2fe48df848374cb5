# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Adds the API's .proto files to the wheel and the sdist; makes builds reproducible.

The .proto files live once, in ../turboci of the repository; the wheel
carries them so that downstream protos can import "turboci/..." from the
installed package. An sdist carries them inside its package tree, where
package data picks them up, so a wheel builds from the sdist alone.

Builds are reproducible by default: SOURCE_DATE_EPOCH (the time the wheel's
entries are stamped with), unless set, is the last commit's time in a
checkout, or the one the sdist recorded in its SOURCE_DATE_EPOCH file.
Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
API = HERE.parent / "turboci"
EPOCH_FILE = "SOURCE_DATE_EPOCH"


def _protos() -> list[Path]:
    return sorted(API.rglob("*.proto")) if API.is_dir() else []


def _copy_protos(protos: list[Path], root: Path) -> None:
    """The API's .proto files into root/turboci, where package data lies."""
    for proto in protos:
        dest = root / "turboci" / proto.relative_to(API)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(proto, dest)


def _commit_time() -> str | None:
    """The last commit's time, when this is a git checkout with git on PATH."""
    try:
        proc = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    out = proc.stdout.strip()
    return out if proc.returncode == 0 and out.isdigit() else None


def _recorded_time() -> str | None:
    """The time an sdist recorded when it was made (see SdistWithProtos)."""
    try:
        text = (HERE / EPOCH_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if text.isdigit() else None


def source_date_epoch() -> str | None:
    return os.environ.get("SOURCE_DATE_EPOCH") or _recorded_time() or _commit_time()


class BuildPyWithProtos(build_py):
    def run(self) -> None:
        super().run()
        protos = _protos()
        if not protos:
            # From an sdist: the protos are package data already.
            if any(Path(self.build_lib, "turboci").rglob("*.proto")):
                return
            raise SystemExit(
                f"no .proto files in {API}: build turboci-proto from a checkout of the whole "
                "repository (pip install ./py, or git+URL#subdirectory=py) or from its sdist"
            )
        _copy_protos(protos, Path(self.build_lib))


class SdistWithProtos(sdist):
    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        protos = _protos()
        if not protos:
            raise SystemExit(f"no .proto files in {API}: make the sdist from a checkout")
        _copy_protos(protos, Path(base_dir))
        epoch = source_date_epoch()
        if epoch:
            (Path(base_dir) / EPOCH_FILE).write_text(epoch + "\n", encoding="ascii")

    def make_archive(
        self,
        base_name: str,
        format: str,
        root_dir: str | None = None,
        base_dir: str | None = None,
        owner: str | None = None,
        group: str | None = None,
    ) -> str:
        """The .tar.gz with nothing of the build machine or the hour in it:
        sorted entries, the epoch's time, no owners, modes 644/755."""
        epoch = source_date_epoch()
        if format != "gztar" or not epoch or base_dir is None:
            return str(super().make_archive(base_name, format, root_dir, base_dir, owner, group))
        top = Path(root_dir or ".", base_dir)
        paths = [top, *sorted(top.rglob("*"), key=lambda p: p.relative_to(top).as_posix())]
        out = base_name + ".tar.gz"
        with (
            open(out, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=int(epoch)) as zipped,
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            for path in paths:
                info = tar.gettarinfo(str(path), arcname=path.relative_to(top.parent).as_posix())
                info.mtime = int(epoch)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o755 if path.is_dir() or path.stat().st_mode & 0o111 else 0o644
                if info.isreg():
                    with open(path, "rb") as fh:
                        tar.addfile(info, fh)
                else:
                    tar.addfile(info)
        return out


# The wheel's zip entries take their time from here (setuptools' bdist_wheel).
_epoch = source_date_epoch()
if _epoch:
    os.environ["SOURCE_DATE_EPOCH"] = _epoch

setup(cmdclass={"build_py": BuildPyWithProtos, "sdist": SdistWithProtos})
