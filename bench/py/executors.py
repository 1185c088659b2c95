#!/usr/bin/env python3
"""CPython asyncio side of the executor workloads (see bench/Asyncio.Bench/Workloads/ExecutorWorkloads.cs).

Usage:  python3 executors.py exec_to_thread [--n 100000] [--uvloop]
        python3 executors.py exec_cpu_process|exec_cpu_thread [--chunks 16] [--size 4000000] [--workers 2]
Prints exactly one JSON line: {"w": NAME, "runtime": "asyncio", "value": ..., "unit": ...}.
"""
import argparse
import asyncio
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

perf = time.perf_counter


def emit(name, value, unit, uvloop, **extra):
    d = dict(w=name, runtime='asyncio+uvloop' if uvloop else 'asyncio', value=value, unit=unit,
             python=sys.version.split()[0])
    d.update(extra)
    print(json.dumps(d), flush=True)


def one():
    return 1


async def to_thread_round_trips(n):
    t0 = perf()
    for _ in range(n):
        await asyncio.to_thread(one)
    return perf() - t0


def count_primes(chunk):
    """Sieve of Eratosthenes over [lo, hi), with the base primes up to sqrt(hi) sieved first."""
    lo, hi = chunk
    root = math.isqrt(hi) + 1
    base = bytearray([1]) * (root + 1)
    base[0:2] = b'\x00\x00'
    for i in range(2, math.isqrt(root) + 1):
        if base[i]:
            base[i * i::i] = bytearray(len(range(i * i, root + 1, i)))
    seg = bytearray([1]) * (hi - lo)
    for p in range(2, root + 1):
        if not base[p]:
            continue
        start = max(p * p, (lo + p - 1) // p * p)
        if start >= hi:
            continue
        seg[start - lo::p] = bytearray(len(range(start, hi, p)))
    if lo < 2:
        seg[0:2 - lo] = bytearray(2 - lo)
    return seg.count(1)


def chunks(count, size):
    return [(i * size, (i + 1) * size) for i in range(count)]


async def cpu_speedup(kind, count, size, workers):
    parts = chunks(count, size)
    t0 = perf()
    sequential = sum(count_primes(c) for c in parts)
    t_seq = perf() - t0
    pool = ProcessPoolExecutor(workers) if kind == 'process' else ThreadPoolExecutor(workers)
    with pool:
        loop = asyncio.get_running_loop()
        await asyncio.gather(*[loop.run_in_executor(pool, count_primes, (0, 1000)) for _ in range(workers)])  # warm-up
        t0 = perf()
        pooled = sum(await asyncio.gather(*[loop.run_in_executor(pool, count_primes, c) for c in parts]))
        t_pool = perf() - t0
    assert pooled == sequential
    return t_seq, t_pool, pooled


def main():
    if sys.argv[1:] == ["--list"]:
        print("exec_to_thread exec_cpu_process exec_cpu_thread")
        return
    ap = argparse.ArgumentParser()
    ap.add_argument('workload')
    ap.add_argument('--n', type=int, default=100_000)
    ap.add_argument('--chunks', type=int, default=16)
    ap.add_argument('--size', type=int, default=4_000_000)
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--uvloop', action='store_true')
    a = ap.parse_args()
    if a.uvloop:
        import uvloop
        uvloop.install()
    if a.workload == 'exec_to_thread':
        asyncio.run(to_thread_round_trips(max(1, a.n // 10)))  # warm-up
        dt = asyncio.run(to_thread_round_trips(a.n))
        emit(a.workload, a.n / dt, 'calls/s', a.uvloop, n=a.n, wall_s=dt)
    elif a.workload in ('exec_cpu_process', 'exec_cpu_thread'):
        kind = 'process' if a.workload == 'exec_cpu_process' else 'thread'
        t_seq, t_pool, primes = asyncio.run(cpu_speedup(kind, a.chunks, a.size, a.workers))
        emit(a.workload, t_seq / t_pool, 'x speed-up', a.uvloop, chunks=a.chunks, size=a.size, workers=a.workers,
             sequential_s=t_seq, pooled_s=t_pool, primes=primes)
    else:
        sys.exit(f'unknown workload {a.workload}')


if __name__ == '__main__':
    main()
