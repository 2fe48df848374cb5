# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`breaking`: buf breaking against the merge base with upstream, or a ref.

The third-party protos under google/ are not in git, so the basis is
exported to a temporary folder, given its copies there, and compiled into
an image like the current tree; the shared compile is compared with it.
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core import cache_dir
from core import files
from core.layout import Layout
from tools import buf_config
from tools import history
from tools import stamps
from tools import trailers
from tools import untar
from tools.engine.context import Context
from tools.engine.task import StepFn
from tools.engine.task import Task
from tools.errors import BuildError
from tools.run import output_of
from tools.run import run

FOOTER = "Breaking-Proto-Change-Ok"


@dataclass(frozen=True)
class Basis:
    """The commit to compare with, or why there is none."""

    commit: str | None
    why: str


def _git(args: list[str], root: Path) -> subprocess.CompletedProcess[str]:
    return run(["git", *args], cwd=root, what="git")


def find_basis(root: Path, against: str | None) -> Basis:
    """The merge base with upstream (or `against`), else why it can't be found."""
    inside = _git(["rev-parse", "--is-inside-work-tree"], root)
    if inside.returncode != 0:
        if "dubious ownership" in inside.stderr:
            # Another user's checkout: git will not read it, and a skip would pass.
            raise BuildError(
                f"{root}: git refuses a checkout owned by another user; to compare with "
                f"upstream, trust it: git config --global --add safe.directory {root}",
                exit_code=2,
            )
        return Basis(None, f"{root} is not a git checkout")
    if against is None and history.is_shallow(root):
        return Basis(None, f"this is a shallow clone: {history.FETCH_HINT}, or pass --against REF")
    if against is not None:
        proc = _git(["rev-parse", "--verify", "--quiet", f"{against}^{{commit}}"], root)
        if proc.returncode != 0:
            raise BuildError(f"--against {against}: no such commit or ref in this checkout")
        return Basis(proc.stdout.strip(), f"{against}")
    upstream = _git(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], root)
    if upstream.returncode != 0:
        # Without an upstream, compare a branch with its first parent.
        parent = _git(["rev-parse", "--verify", "--quiet", "HEAD~1^{commit}"], root)
        if parent.returncode != 0:
            return Basis(None, "no upstream branch and HEAD has no parent commit to compare with")
        return Basis(parent.stdout.strip(), "HEAD~1 (no upstream branch is set)")
    name = upstream.stdout.strip()
    base = _git(["merge-base", "HEAD", name], root)
    if base.returncode != 0 or not base.stdout.strip():
        return Basis(None, f"HEAD has no merge base with {name}")
    return Basis(base.stdout.strip(), f"merge base with {name}")


class BreakingChangeError(BuildError):
    """buf breaking found changes that break compatibility (the footer may allow them)."""

    def __init__(self, count: int, against: str) -> None:
        super().__init__(
            f"{count} breaking change(s) against {against}; if no one depends on them yet, "
            f"add the footer '{FOOTER}: <reason>' to the change description"
        )
        self.count = count
        self.against = against


def footer_of(message: str) -> str | None:
    """The reason of a Breaking-Proto-Change-Ok footer in one change description
    (a trailer, as git reads them: never the subject, only the last paragraph)."""
    return trailers.value_of(message, FOOTER)


def footer_reason(root: Path, basis: str) -> str | None:
    """The reason given by a Breaking-Proto-Change-Ok footer in basis..HEAD."""
    proc = _git(["log", "--format=%B%x00", f"{basis}..HEAD"], root)
    for message in proc.stdout.split("\0"):
        reason = footer_of(message)
        if reason:
            return reason
    return None


def api_unchanged(layout: Layout, commit: str) -> bool:
    """True when no API file or buf.yaml differs from the basis.

    New untracked files are not seen here, and need not be: adding a file
    never breaks anything, and identical files compare equal in any version.
    """
    proc = _git(["diff", "--quiet", commit, "--", *layout.proto_roots, "buf.yaml"], layout.root)
    return proc.returncode == 0


def _export(layout: Layout, commit: str, dest: Path) -> None:
    """Write the basis' protos and buf.yaml into dest (no .git, no worktree)."""
    # Only what the compile reads: the API and the buf config, where present
    # (git archive refuses a path the commit does not have).
    root = layout.root
    listed = _git(["ls-tree", "--name-only", commit], root).stdout.split("\n")
    wanted = [p for p in (*layout.proto_roots, "buf.yaml") if p in listed]
    tree = dest / "tree"
    tree.mkdir()
    if not wanted:
        return
    archive = dest / "basis.tar"
    with archive.open("wb") as fh:
        proc = subprocess.run(
            ["git", "archive", "--format=tar", commit, "--", *wanted],
            cwd=root,
            stdout=fh,
            stderr=subprocess.PIPE,
            text=False,
        )
    if proc.returncode != 0:
        raise BuildError(f"git archive {commit[:12]} failed: {proc.stderr.decode().strip()}")
    try:
        untar.extract(archive, tree)
    except BuildError as exc:
        raise BuildError(f"the basis {commit[:12]} cannot be compared: {exc.message}") from None
    archive.unlink()


def _private(name: str, data: bytes) -> Path:
    """`data` in a folder of the system's temp folder, removed when the process exits."""
    folder = Path(tempfile.mkdtemp(prefix="turboci-basis-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / name
    path.write_bytes(data)
    return path


def basis_image(layout: Layout, commit: str, reuse: bool = True) -> Path | None:
    """The basis compiled like the current tree (cached per commit and pinned
    versions, which decide the compiler and the google/ copies); None when
    the basis has no API protos. Without `reuse` a cached image is not
    believed: the basis is compiled again (and the cache replaced)."""
    from tools import api_compile as compile_mod

    pins = stamps.digest_files([layout.deps], layout.root)[:16]
    image = layout.cache / "breaking" / f"{commit}-{pins}.binpb"
    # Only a regular file is taken as the cached basis (a FIFO would hang buf,
    # a symlink lead elsewhere); anything else there is rebuilt over.
    if reuse and cache_dir.is_regular(image):
        return image
    scratch: Path | None = layout.cache / "tmp"
    try:
        (layout.cache / "tmp").mkdir(parents=True, exist_ok=True)
    except OSError:
        scratch = None  # a checkout this user cannot write: the system's temp folder
    with tempfile.TemporaryDirectory(prefix="basis-", dir=scratch) as tmp:
        work = Path(tmp)
        _export(layout, commit, work)
        tree = Layout(work / "tree")
        if not compile_mod.proto_files(tree):
            return None
        try:
            compiled = compile_mod.compile_api(tree)
        except BuildError as exc:
            raise BuildError(
                f"the basis {commit[:12]} does not compile: {exc.message.splitlines()[0]}"
            ) from None
        # Atomic: a breaking run beside this one (read-only runs take no
        # lock) reads the whole image or none.
        data = compiled.descriptor_set_path().read_bytes()
        if scratch is None:
            return _private(image.name, data)
        files.write_atomic(image, data, layout.root)
        for old in image.parent.glob("*.binpb"):
            if old != image:
                old.unlink(missing_ok=True)  # one basis at a time is all a checkout needs
    return image


def breaking(ctx: Context, against: str | None = None, footer: bool = True) -> None:
    """Fail on breaking changes unless a footer allows them (then warn).

    With `footer` False the commits' footers are not read: the caller (the
    presubmit, which judges its change description) decides.
    """
    ctx.compiled()  # the current tree must compile before it is compared
    buf_config.require_regular(ctx.layout)  # buf would wait on a FIFO forever
    basis = find_basis(ctx.root, against)
    if basis.commit is None:
        ctx.say(f"breaking: skipped: {basis.why}")
        return
    # A pass is remembered per basis, current API, config and buf version; a
    # failure is not, so its report is printed again on every run.
    key = "\n".join(
        [
            basis.commit,
            ctx.compiled().key,
            stamps.digest_files([ctx.layout.buf_yaml, ctx.layout.deps], ctx.root),
            stamps.code_digest("tools.tasks.breaking", "tools.thirdparty"),
        ]
    )
    if ctx.is_fresh("breaking", key):
        return
    if api_unchanged(ctx.layout, basis.commit):
        stamps.record(ctx.layout, "breaking", key)
        return
    image = basis_image(ctx.layout, basis.commit, reuse=ctx.trust_stamps)
    if image is None:
        ctx.say(f"breaking: skipped: {basis.why} ({basis.commit[:12]}) has no protos yet")
        return
    # Both sides come from the same compiler: the shared compile and the basis'.
    proc = run(
        [
            str(ctx.layout.venv_bin("buf")),
            "breaking",
            f"{ctx.compiled().descriptor_set_path()}#format=binpb",
            "--against",
            f"{image}#format=binpb",
            "--config",
            str(ctx.layout.buf_yaml),
        ],
        cwd=ctx.root,
    )
    if proc.returncode == 0:
        stamps.record(ctx.layout, "breaking", key)
        return
    text = output_of(proc)
    if proc.returncode != 100:
        raise BuildError(f"buf breaking failed: {text}", exit_code=2)
    ctx.say(text)
    count = len([ln for ln in text.splitlines() if ln.strip()])
    reason = footer_reason(ctx.root, basis.commit) if footer else None
    if reason:
        ctx.say(
            f"warning: {count} breaking change(s) against {basis.why}, "
            f"allowed by {FOOTER}: {reason}"
        )
        return
    raise BreakingChangeError(count, basis.why)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--against",
        metavar="REF",
        help="compare with this commit instead of the merge base with upstream",
    )


def _run(ctx: Context, args: argparse.Namespace) -> int:
    breaking(ctx, against=args.against)
    return 0


def _step(ctx: Context) -> StepFn:
    del ctx
    return breaking


TASK = Task(
    name="breaking",
    help="buf breaking against the merge base with upstream",
    arguments=_arguments,
    run=_run,
    step=_step,
)
