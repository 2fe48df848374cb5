# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The change a presubmit judges: its basis and its description, on small git repos."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import git
from tools.commit_queue import change
from tools.commit_queue.change import ChangeError


@contextlib.contextmanager
def released_after(fifo: Path, seconds: float) -> Iterator[None]:
    """A reader still blocked on `fifo` after `seconds` is let go (it reads nothing),
    so a regression fails the test instead of hanging the suite."""
    done = threading.Event()

    def release() -> None:
        if not done.wait(seconds):
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def refusal(root: Path, message_file: Path) -> str:
    with pytest.raises(ChangeError) as info:
        change.find(root, message_file=message_file)
    return str(info.value)


def test_a_fifo_as_message_file_is_refused_without_blocking(api_tree: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "message"
    os.mkfifo(fifo)
    started = time.monotonic()
    with released_after(fifo, 5.0):
        message = refusal(api_tree, fifo)
    assert time.monotonic() - started < 2.0
    assert message == (
        f"--message-file {fifo}: a FIFO, not a regular file; "
        "give a file that holds the change description"
    )


def test_a_folder_socket_or_device_as_message_file_is_refused(
    api_tree: Path, tmp_path: Path
) -> None:
    assert refusal(api_tree, tmp_path).startswith(f"--message-file {tmp_path}: a folder, not ")
    assert ": a character device, not " in refusal(api_tree, Path("/dev/zero"))
    sock_path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        assert ": a socket, not " in refusal(api_tree, sock_path)
    # A symlink to a FIFO is the FIFO.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "link").symlink_to(fifo)
    with released_after(fifo, 5.0):
        assert ": a FIFO, not " in refusal(api_tree, tmp_path / "link")


def test_unreadable_or_non_utf8_message_file_is_one_line(api_tree: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    assert refusal(api_tree, missing) == (
        f"--message-file {missing}: cannot read it: No such file or directory"
    )
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Subject\n\nCaf\u00e9\n".encode("latin-1"))
    assert refusal(api_tree, latin1) == (
        f"--message-file {latin1}: not UTF-8 (byte 0xe9 at offset 12); "
        "save the description as UTF-8"
    )
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"x" * (change.MAX_MESSAGE_BYTES + 1))
    assert "larger than a change description can be" in refusal(api_tree, huge)


def test_a_regular_message_file_is_the_description(api_tree: Path, tmp_path: Path) -> None:
    message = tmp_path / "message.txt"
    message.write_text("Subject\n\nBreaking-Proto-Change-Ok: r\u00e9ason\n", encoding="utf-8")
    found = change.find(api_tree, message_file=message)
    assert found.description == "Subject\n\nBreaking-Proto-Change-Ok: r\u00e9ason\n"
    assert found.description_from == f"--message-file {message}"
    assert change.find(api_tree).description == "Initial API\n\n"


def history_of_three(root: Path) -> Path:
    """api_tree with two more commits on main and a branch `change` one commit ahead."""
    for n in (1, 2):
        git(root, "commit", "-q", "--allow-empty", "-m", f"Commit {n}")
    git(root, "checkout", "-q", "-b", "change")
    git(root, "commit", "-q", "--allow-empty", "-m", "The change")
    git(root, "checkout", "-q", "main")
    return root


def shallow_clone(origin: Path, clone: Path, *args: str) -> Path:
    git(origin.parent, "clone", "-q", "--depth=1", *args, f"file://{origin}", str(clone))
    return clone


def test_a_detached_shallow_clone_cannot_run_without_its_basis(
    api_tree: Path, tmp_path: Path
) -> None:
    clone = shallow_clone(history_of_three(api_tree), tmp_path / "clone", "--branch=change")
    git(clone, "checkout", "-q", "--detach")
    with pytest.raises(ChangeError) as info:
        change.find(clone)
    assert str(info.value) == (
        "this shallow clone lacks HEAD's parent, so the change has no basis to compare with: "
        "fetch the history (`fetch-depth: 0` in actions/checkout, or `git fetch --unshallow`, "
        "or `git fetch --deepen=N`); or pass --allow-no-basis to run every other check and "
        "skip breaking"
    )
    allowed = change.find(clone, allow_no_basis=True)
    assert (allowed.basis, allowed.files) == (None, None)
    assert allowed.basis_why == (
        "none: this shallow clone lacks HEAD's parent; breaking skipped as --allow-no-basis asks"
    )
    # Deepened by one commit, HEAD's parent is there.
    git(clone, "fetch", "-q", "--deepen=1")
    found = change.find(clone)
    assert found.basis == git(api_tree, "rev-parse", "main").strip()
    assert found.basis_why.startswith("HEAD~1")


def test_a_shallow_clone_without_the_merge_base_says_how_to_fetch_it(
    api_tree: Path, tmp_path: Path
) -> None:
    origin = history_of_three(api_tree)
    clone = shallow_clone(origin, tmp_path / "clone", "--branch=change", "--no-single-branch")
    git(clone, "checkout", "-q", "--detach")
    with pytest.raises(
        ChangeError,
        match=r"^this shallow clone lacks the merge base with "
        r"origin/main, so .* `git fetch --deepen=N`",
    ):
        change.find(clone, upstream="origin/main")
    git(clone, "fetch", "-q", "--deepen=1")
    found = change.find(clone, upstream="origin/main")
    assert found.basis == git(origin, "rev-parse", "main").strip()
    assert found.files == ()


def test_a_single_commit_is_the_whole_change_unless_shallow(api_tree: Path, tmp_path: Path) -> None:
    git(api_tree, "checkout", "-q", "--detach")
    found = change.find(api_tree)
    assert (found.basis, found.basis_why, found.files) == (
        None,
        "none: HEAD is the first commit",
        None,
    )
    # A full clone, detached: HEAD~1 is the basis.
    git(api_tree, "checkout", "-q", "main")
    history_of_three(api_tree)
    clone = tmp_path / "full"
    git(tmp_path, "clone", "-q", f"file://{api_tree}", str(clone))
    git(clone, "checkout", "-q", "--detach", "origin/change")
    assert change.find(clone).basis == git(api_tree, "rev-parse", "main").strip()


def test_unrelated_history_is_refused_unless_allowed(api_tree: Path) -> None:
    git(api_tree, "checkout", "-q", "--orphan", "lonely")
    git(api_tree, "commit", "-qm", "Unrelated history")
    with pytest.raises(ChangeError) as info:
        change.find(api_tree, upstream="main")
    assert str(info.value) == "HEAD has no merge base with main"
    allowed = change.find(api_tree, upstream="main", allow_no_basis=True)
    assert (allowed.basis, allowed.files) == (None, None)
    assert allowed.basis_why == (
        "none: HEAD has no merge base with main; breaking skipped as --allow-no-basis asks"
    )
