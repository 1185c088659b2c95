#!/usr/bin/env python3
"""H1/H2's aiohttp client: downloads N files from bench/http_runner.py's server, aiohttp's usual style.

Usage:  python3 http.py --list          (prints nothing: bench/http_runner.py runs this client itself)
        python3 http.py client --port P --files N --size BYTES [--concurrency 32] [--w H1] [--shape tasks|workers]

--shape tasks (the default): ClientSession + one task per file + asyncio.Semaphore(32) + gather, aiohttp's usual
style; --shape workers: 32 worker tasks (gathered), each taking the next file until none is left, no semaphore.
Each body is read with resp.content.iter_chunked(65536) and discarded. Prints one JSON line: MB/s and the process's
CPU seconds (user + system) per GB over the timed part.
"""
import sys
from pathlib import Path

# This file is named http.py: drop its directory from the path so that `import http` (which aiohttp does) finds
# the standard library's module, not this script.
_here = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if p not in ('', _here) and Path(p or '.').resolve() != Path(_here)]

import argparse
import asyncio
import json
import resource
import time


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def fetch(session, url):
    async with session.get(url) as resp:
        resp.raise_for_status()
        n = 0
        async for chunk in resp.content.iter_chunked(65536):
            n += len(chunk)
        return n


async def download(url, files, concurrency, shape):
    import aiohttp
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        if shape == 'tasks':
            sem = asyncio.Semaphore(concurrency)

            async def one():
                async with sem:
                    return await fetch(session, url)
            return sum(await asyncio.gather(*(one() for _ in range(files))))

        # workers: the workers are the limit; they share one iterator of the file indices (one thread: no lock).
        indices = iter(range(files))

        async def worker():
            return sum([await fetch(session, url) for _ in indices])
        return sum(await asyncio.gather(*(worker() for _ in range(min(concurrency, files)))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', nargs='?')
    p.add_argument('--list', action='store_true')
    p.add_argument('--port', type=int)
    p.add_argument('--files', type=int, default=1000)
    p.add_argument('--size', type=int, default=100_000)
    p.add_argument('--concurrency', type=int, default=32)
    p.add_argument('--w', default='H')
    p.add_argument('--shape', choices=['tasks', 'workers'], default='tasks')
    p.add_argument('--passes', type=int, default=5)
    args = p.parse_args()
    if args.list:
        return
    base = f'http://127.0.0.1:{args.port}'
    # Warm-up: twice the concurrency of files of at most 1 MiB, on a session of its own (the .NET clients warm up
    # longer, until their JIT has settled; CPython has no compiler to warm).
    asyncio.run(download(f'{base}/{min(args.size, 1 << 20)}', args.concurrency * 2, args.concurrency, args.shape))
    # Timed passes as the .NET clients: each on a session of its own, the median pass reported, CPU over all passes.
    cpu0, times, total = cpu_seconds(), [], 0
    for _ in range(args.passes):
        t0 = time.perf_counter()
        got = asyncio.run(download(f'{base}/{args.size}', args.files, args.concurrency, args.shape))
        times.append(time.perf_counter() - t0)
        if got != args.files * args.size:
            sys.exit(f'read {got} bytes, expected {args.files * args.size}')
        total += got
    cpu, seconds = cpu_seconds() - cpu0, sorted(times)[len(times) // 2]
    import aiohttp
    print(json.dumps({'w': args.w, 'runtime': 'aiohttp', 'shape': args.shape, 'value': args.files * args.size / 1e6 / seconds,
                      'unit': 'MB/s', 'passes': args.passes, 'cpu_s_per_gb': cpu / (total / 1e9), 'seconds': seconds,
                      'cpu_seconds': cpu, 'aiohttp': aiohttp.__version__}))


if __name__ == '__main__':
    main()
