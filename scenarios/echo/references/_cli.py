"""What both asyncio references share: the command line, the event loop, the start-up line, SIGTERM.

    python3 asyncio_echo.py [--host H] [--port P] [--loop asyncio|uvloop]

Once listening the server prints exactly one line, {"port":N}, on stdout. A start that fails prints
`error: <ERRNO NAME>: <what>` on stderr and exits 1; `--loop uvloop` without uvloop exits 3.
SIGTERM or SIGINT closes the listener and every connection, then exits 0.
"""
import argparse
import asyncio
import errno
import os
import resource
import signal
import sys
import time
from typing import Awaitable, Callable

# Node's default listen backlog, so every reference and style sees the same accept queue.
BACKLOG = 511


def parse(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    args = parser.parse_args()
    if not 0 <= args.port <= 65535:
        parser.error(f"--port takes 0-65535, not {args.port}")
    return args


def new_loop(kind: str) -> asyncio.AbstractEventLoop:
    if kind == "asyncio":
        return asyncio.new_event_loop()
    try:
        import uvloop  # type: ignore[import-not-found]
    except ImportError as error:
        print(f"error: --loop uvloop, but uvloop cannot be imported ({error}); install python3-uvloop or pip's uvloop", file=sys.stderr)
        sys.exit(3)
    return uvloop.new_event_loop()


def run(args: argparse.Namespace, serve: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Runs `serve(stop)` on the chosen loop; SIGTERM and SIGINT set `stop`. A start's OSError exits 1."""
    loop = new_loop(args.loop)
    asyncio.set_event_loop(loop)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        loop.run_until_complete(serve(stop))
    except OSError as error:
        name = errno.errorcode.get(error.errno or 0, "EUNKNOWN")
        print(f"error: {name}: listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        sys.exit(1)
    finally:
        loop.close()


def listening(port: int) -> None:
    # Exactly {"port":N}: json.dumps would add a space after the colon.
    print(f'{{"port":{port}}}', flush=True)
    _answer_cpu_readings(asyncio.get_running_loop())


def _answer_cpu_readings(loop: asyncio.AbstractEventLoop) -> None:
    """Each "cpu" line on stdin is answered with this process's CPU (µs) and the instant it was read
    on the monotonic clock every process shares (ms): the harness's exact windows. A stdin that
    cannot be polled (/dev/null, a file) is left alone."""
    fd = sys.stdin.fileno()
    os.set_blocking(fd, False)

    def readable() -> None:
        try:
            data = os.read(fd, 256)
        except BlockingIOError:
            return
        if not data:
            loop.remove_reader(fd)
            return
        for _ in range(data.count(b"\n")):
            usage = resource.getrusage(resource.RUSAGE_SELF)
            t = time.clock_gettime(time.CLOCK_MONOTONIC) * 1e3
            sys.stdout.write(f'{{"user":{round(usage.ru_utime * 1e6)},"system":{round(usage.ru_stime * 1e6)},"t":{t:.6f}}}\n')
        sys.stdout.flush()

    try:
        loop.add_reader(fd, readable)
    except (OSError, ValueError):
        pass
