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

from tools.queue import change
from tools.queue.change import ChangeError


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
