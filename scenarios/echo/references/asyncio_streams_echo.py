#!/usr/bin/env python3
"""A reference echo server in the coroutine idiom the asyncio docs teach: asyncio.start_server,
`await reader.read(65536)`, `writer.write`, `await writer.drain()`.

Backpressure: drain() waits while the write buffer is over its high-water mark, and the reader is
not read meanwhile (StreamReader pauses the transport once its own buffer is full). Half-close:
read() returns b"" at EOF; the handler then closes, and the transport writes what is buffered first.
Command line and output: _cli.py.
"""
import asyncio

from _cli import BACKLOG, listening, parse, run


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass  # a reset ends this connection only
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass


async def serve(host: str, port: int, stop: asyncio.Event) -> None:
    handlers: "set[asyncio.Task[None]]" = set()
    writers: "set[asyncio.StreamWriter]" = set()

    async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        writers.add(writer)
        try:
            await echo(reader, writer)
        finally:
            handlers.discard(task)
            writers.discard(writer)

    server = await asyncio.start_server(tracked, host, port, backlog=BACKLOG)
    listening(server.sockets[0].getsockname()[1])
    await stop.wait()
    server.close()
    for writer in list(writers):
        writer.transport.abort()
    await asyncio.gather(*handlers, return_exceptions=True)
    await server.wait_closed()


if __name__ == "__main__":
    args = parse("asyncio streams echo server")
    run(args, lambda stop: serve(args.host, args.port, stop))
