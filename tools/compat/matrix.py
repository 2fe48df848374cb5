# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The Python runtime matrix: the wheel in fresh venvs, at the floors and the newest.

Each case is a venv of its own with the wheel and exact versions of
protobuf, grpcio and googleapis-common-protos (and grpcio-status where the
case says, for the `grpc` extra beside it); smoke.py then runs in it once
per protobuf backend (upb and pure Python). pip's downloads are cached in
tools/cache/pip, so a rerun installs from disk.

`python -m tools.compat.matrix` runs every case (or `--case NAME`), or one
made up on the command line (`--protobuf 6.30.0 --grpcio 1.74.0 ...`) to
measure a floor by hand.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core import errors
from core.layout import REPO
from tools import env
from tools import release

SMOKE = Path(__file__).with_name("smoke.py")
CONSUMER = Path(__file__).with_name("typed_consumer.py")
BACKENDS = ("upb", "python")


@dataclass(frozen=True)
class Case:
    name: str
    protobuf: str
    grpcio: str
    common_protos: str
    grpcio_status: str | None = None
    # The `typing` extra's stubs; with them, mypy --strict checks
    # typed_consumer.py against the venv.
    types_protobuf: str | None = None
    types_grpcio: str | None = None

    def requirements(self) -> list[str]:
        reqs = [
            f"protobuf=={self.protobuf}",
            f"grpcio=={self.grpcio}",
            f"googleapis-common-protos=={self.common_protos}",
        ]
        if self.grpcio_status:
            reqs.append(f"grpcio-status=={self.grpcio_status}")
        if self.types_protobuf and self.types_grpcio:
            reqs += [f"types-protobuf=={self.types_protobuf}", f"types-grpcio=={self.types_grpcio}"]
        return reqs


def floors(pyproject: Path = REPO.py / "pyproject.toml") -> dict[str, str]:
    """The `>=` floor of each requirement of the distribution, extras included."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    out: dict[str, str] = {}
    for req in reqs:
        name, sep, rest = req.partition(">=")
        if sep:
            out[name.strip()] = rest.split(",")[0].strip()
    return out


def cases() -> tuple[Case, ...]:
    """The floors (as py/pyproject.toml states them, with a grpcio-status of
    the same release, as a gRPC project has it), the real TurboCI project's
    pins, and the newest of each supported protobuf major."""
    low = floors()
    return (
        Case(
            "floor",
            low["protobuf"],
            low["grpcio"],
            low["googleapis-common-protos"],
            grpcio_status=low["grpcio"],
            types_protobuf=low["types-protobuf"],
            types_grpcio=low["types-grpcio"],
        ),
        Case("turboci-pins", "6.32.1", "1.74.0", "1.70.0", grpcio_status="1.74.0"),
        Case("newest-6", "6.33.6", "1.85.1", "1.76.0"),
        Case(
            "newest-7",
            "7.36.2",
            "1.85.1",
            "1.76.0",
            grpcio_status="1.85.1",
            types_protobuf="7.35.1.20261122",
            types_grpcio="1.85.0.20261028",
        ),
    )


Say = Callable[[str], None]


def _run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload,no-any-return]


def build_wheel(out: Path) -> Path:
    """The wheel `./build.py release` makes (the one built again from the sdist
    is byte-identical to it), built once for every case."""
    return release.build(REPO, out, lambda _: None).wheel


def run_case(
    case: Case, wheel: Path, scratch: Path, say: Say, below_floors: bool = False
) -> list[dict[str, object]]:
    """Install the case into a fresh venv and run the smoke once per backend;
    return the reports. A failure raises, with pip's or the smoke's output.
    `below_floors` installs the wheel without its requirements, so versions
    under the stated floors can be tried (to measure a floor)."""
    venv = scratch / case.name
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    if made.returncode != 0:
        raise RuntimeError(f"{case.name}: venv: {made.stderr}")
    python = venv / "bin" / "python"
    # The tools venv's pip installs into it: no pip of its own to bootstrap.
    pip = [
        str(REPO.venv_python()),
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "-q",
        "--disable-pip-version-check",
        "--cache-dir",
        str(REPO.tool_cache / "pip"),
    ]
    steps = (
        [[*case.requirements()], ["--no-deps", str(wheel)]]
        if below_floors
        else [[f"{wheel}[grpc]", *case.requirements()]]
    )
    for step in steps:
        install = _run([*pip, *step], env=env.build_env())
        if install.returncode != 0:
            raise RuntimeError(
                f"{case.name}: pip install failed:\n{install.stdout}{install.stderr}"
            )
    reports: list[dict[str, object]] = []
    for backend in BACKENDS:
        smoke_env = env.build_env()
        smoke_env["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = backend
        proc = _run(
            [str(python), "-I", str(SMOKE), str(REPO.go / "testdata" / "vectors.json")],
            env=smoke_env,
            cwd=scratch,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{case.name} ({backend}): smoke failed:\n{proc.stderr}")
        report: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
        report["case"] = case.name
        say(json.dumps(report, sort_keys=True))
        reports.append(report)
    if case.types_protobuf:
        _typecheck(case, python, scratch)
        say(json.dumps({"case": case.name, "mypy --strict": "ok"}))
    return reports


def _typecheck(case: Case, python: Path, scratch: Path) -> None:
    """mypy --strict on typed_consumer.py, seeing only the venv's packages
    (the wheel's .pyi and the stubs of the case), as a typed consumer does."""
    consumer = scratch / f"{case.name}-consumer" / CONSUMER.name
    consumer.parent.mkdir()
    consumer.write_bytes(CONSUMER.read_bytes())
    proc = _run(
        [
            str(REPO.venv_bin("mypy")),
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(consumer.parent / ".mypy_cache"),
            "--python-executable",
            str(python),
            consumer.name,
        ],
        env=env.build_env(),
        cwd=consumer.parent,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{case.name}: mypy --strict failed:\n{proc.stdout}{proc.stderr}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--case",
        action="append",
        choices=[c.name for c in cases()],
        help="run only this case (repeatable)",
    )
    parser.add_argument("--protobuf")
    parser.add_argument("--grpcio")
    parser.add_argument("--common-protos")
    parser.add_argument("--grpcio-status")
    parser.add_argument(
        "--below-floors", action="store_true", help="install the wheel without its requirements"
    )
    args = parser.parse_args(argv)
    chosen = list(cases())
    if args.protobuf:
        newest = chosen[-1]
        chosen = [
            Case(
                "custom",
                args.protobuf,
                args.grpcio or newest.grpcio,
                args.common_protos or newest.common_protos,
                args.grpcio_status,
            )
        ]
    elif args.case:
        chosen = [c for c in chosen if c.name in args.case]
    return errors.guarded(
        lambda: _run_cases(chosen, args.below_floors), sys.stderr, "tools.compat.matrix"
    )


def _run_cases(chosen: list[Case], below_floors: bool) -> int:
    """Every chosen case; a release that cannot be built is its one line (a BuildError)."""
    with tempfile.TemporaryDirectory(prefix="turboci-compat-") as tmp:
        scratch = Path(tmp)
        wheel = build_wheel(scratch / "dist")
        failed = 0
        for case in chosen:
            try:
                run_case(case, wheel, scratch, print, below_floors)
            except RuntimeError as exc:
                failed += 1
                print(f"FAIL {exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
