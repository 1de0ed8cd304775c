#!/usr/bin/env python3
"""A reference echo server on asyncio's Protocol API (callbacks on the event loop), with flow control.

Backpressure: when the transport's write buffer passes its high-water mark the loop calls
pause_writing, and the protocol stops reading until resume_writing. Half-close: eof_received
returns False, so the transport closes itself once its write buffer has drained.
Command line and output: _cli.py.
"""
import asyncio
from typing import cast

from _cli import BACKLOG, listening, parse, run


class Echo(asyncio.Protocol):
    def __init__(self, open_transports: "set[asyncio.Transport]") -> None:
        self.open = open_transports
        self.transport: "asyncio.Transport | None" = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports have asyncio.Transport's methods without subclassing it: no isinstance.
        self.transport = cast(asyncio.Transport, transport)
        self.open.add(transport)

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)

    def pause_writing(self) -> None:
        assert self.transport is not None
        self.transport.pause_reading()

    def resume_writing(self) -> None:
        assert self.transport is not None
        if not self.transport.is_closing():
            self.transport.resume_reading()

    def eof_received(self) -> bool:
        # False: the transport closes after writing what is buffered.
        return False

    def connection_lost(self, exc: "Exception | None") -> None:
        # A reset (ConnectionResetError) ends this connection only.
        if self.transport is not None:
            self.open.discard(self.transport)


async def serve(host: str, port: int, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    transports: "set[asyncio.Transport]" = set()
    server = await loop.create_server(lambda: Echo(transports), host, port, backlog=BACKLOG)
    listening(server.sockets[0].getsockname()[1])
    await stop.wait()
    server.close()
    for transport in list(transports):
        transport.abort()
    await server.wait_closed()
    # abort() calls connection_lost on the next turn of the loop.
    await asyncio.sleep(0)


if __name__ == "__main__":
    args = parse("asyncio Protocol echo server")
    run(args, lambda stop: serve(args.host, args.port, stop))
