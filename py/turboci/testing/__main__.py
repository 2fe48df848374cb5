# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`python -m turboci.testing serve --port N`: the reference orchestrator as
a standalone gRPC server on the wall clock, ticking on its own."""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
from types import FrameType

from turboci.testing._auth import Declared
from turboci.testing._clock import SystemClock
from turboci.testing._orchestrator import Orchestrator
from turboci.testing._service import serve


def _try_bind(host: str, port: int) -> None:
    family, kind, proto, _, where = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.bind(where)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m turboci.testing")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "serve", help="serve the reference orchestrator (for tests, never production)"
    )
    run.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 picks a free one")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument(
        "--executor",
        action="append",
        default=[],
        metavar="ARGS_TYPE_URL=TARGET",
        help="route stages with these args to the executor at TARGET (repeatable)",
    )
    run.add_argument(
        "--tick", type=float, default=0.2, help="seconds between the orchestrator's own rounds"
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port}: want 0 to 65535")
    if not args.tick > 0:  # also refuses nan; 0 or less would spin without pause
        parser.error(f"--tick {args.tick}: want a number of seconds above 0")
    orchestrator = Orchestrator(SystemClock(), Declared())
    for spec in args.executor:
        type_url, sep, target = spec.partition("=")
        if not sep or not type_url or not target:
            parser.error(f"--executor {spec!r}: want ARGS_TYPE_URL=TARGET")
        try:
            orchestrator.register_executor([type_url], target)
        except ValueError as exc:
            # One registration per type URL (ExecutorRegistration).
            parser.error(f"--executor {spec!r}: {exc}")
    try:
        # Tried with a plain socket first: gRPC would log lines of its own.
        _try_bind(args.host, args.port)
        server, address = serve(orchestrator, f"{args.host}:{args.port}")
    except (OSError, RuntimeError):
        print(
            f"cannot listen on {args.host}:{args.port}: the address is in use or not this "
            "machine's; pick another --port (0 picks a free one)",
            file=sys.stderr,
        )
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"turboci reference orchestrator listening on {address}", flush=True)
    while not stop.wait(args.tick):
        orchestrator.tick()
    server.stop(1).wait()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
