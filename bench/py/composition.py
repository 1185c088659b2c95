#!/usr/bin/env python3
"""CPython asyncio versions of the composition workloads (bench/Asyncio.Bench/Workloads/CompositionWorkloads.cs).

Usage:  python3 composition.py gather|taskgroup|waitfor [--n N] [--uvloop]
Prints one JSON line: {"w": NAME, "runtime": "asyncio", "value": ..., "unit": ...}.
"""
import argparse
import asyncio
import json
import sys
import time


async def yield_once(i):
    await asyncio.sleep(0)
    return i


async def gather(n):
    tasks = [asyncio.create_task(yield_once(i)) for i in range(n)]
    results = await asyncio.gather(*tasks)
    assert len(results) == n


async def taskgroup(n):
    async with asyncio.TaskGroup() as tg:
        for i in range(n):
            tg.create_task(yield_once(i))


async def waitfor(n):
    total = 0
    for i in range(n):
        total += await asyncio.wait_for(yield_once(i), 1.0)
    return total


WORKLOADS = {
    "gather": (gather, 100_000, "tasks/s"),
    "taskgroup": (taskgroup, 100_000, "tasks/s"),
    "waitfor": (waitfor, 10_000, "calls/s"),
}


def main():
    if sys.argv[1:] == ["--list"]:
        print(" ".join(sorted(WORKLOADS)))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--n", type=int)
    parser.add_argument("--uvloop", action="store_true")
    args = parser.parse_args()
    func, default_n, unit = WORKLOADS[args.workload]
    n = args.n or default_n
    runtime = "asyncio"
    if args.uvloop:
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        runtime = "asyncio+uvloop"
    start = time.perf_counter()
    asyncio.run(func(n))
    seconds = time.perf_counter() - start
    print(json.dumps({"w": args.workload, "runtime": runtime, "value": n / seconds, "unit": unit,
                      "n": n, "seconds": seconds, "python": sys.version.split()[0]}), flush=True)


if __name__ == "__main__":
    main()
