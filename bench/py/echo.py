#!/usr/bin/env python3
"""CPython echo servers for W6 (bench/run.py starts each as its own process and drives it with bench/c/echo_client).

Usage:  python3 echo.py --list                      (prints nothing: these are servers, not self-timed workloads)
        python3 echo.py serve --api streams|protocol [--uvloop] [--port 0] [--max-seconds 60]

`serve` binds 127.0.0.1, prints "READY <port>" once listening, and serves until killed or --max-seconds pass.
The streams server is asyncio.start_server with a handler that echoes `await reader.read(65536)` and drains; the
protocol server is a Protocol whose data_received writes the data back, as in the asyncio documentation.
"""
import argparse
import asyncio
import resource
import sys


class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def echo_streams(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(api, port, max_seconds):
    loop = asyncio.get_running_loop()
    # The idle measurement holds 10,000 connections: backlog large enough that a burst of connects is not refused.
    if api == 'protocol':
        server = await loop.create_server(EchoProtocol, '127.0.0.1', port, backlog=1024)
    else:
        server = await asyncio.start_server(echo_streams, '127.0.0.1', port, backlog=1024)
    print(f'READY {server.sockets[0].getsockname()[1]}', flush=True)
    await asyncio.sleep(max_seconds)
    server.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('command', nargs='?')
    p.add_argument('--list', action='store_true')
    p.add_argument('--api', choices=['streams', 'protocol'], default='protocol')
    p.add_argument('--uvloop', action='store_true')
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--max-seconds', type=float, default=60)
    args = p.parse_args()
    if args.list:
        return
    if args.command != 'serve':
        sys.exit('usage: echo.py serve --api streams|protocol [--uvloop] [--port 0] [--max-seconds 60]')
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.uvloop:
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(serve(args.api, args.port, args.max_seconds))


if __name__ == '__main__':
    main()
