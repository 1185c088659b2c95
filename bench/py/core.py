#!/usr/bin/env python3
"""CPython asyncio versions of the core workloads W1-W5 and W7 (bench/Asyncio.Bench/Workloads/CoreWorkloads.cs,
SyncWorkloads.cs), written for this repository so that bench/run.py needs nothing outside it.

Usage:  python3 core.py --list
        python3 core.py W1|W2|W3|W4|W5|W7 [--variant V] [--n N] [--uvloop]
Prints one JSON line: {"w": NAME, "runtime": "asyncio", "value": ..., "unit": ...} plus the run's details.

Each timed workload first runs a warm-up pass at a tenth of its size, as the .NET side does (CPython has no
compiler to warm, but the first pass grows the interpreter's free lists and the loop's deque).
"""
import argparse
import asyncio
import gc
import json
import random
import sys
import time


def emit(record):
    print(json.dumps(record), flush=True)


# ---------------------------------------------------------------- W1 spawn

async def yield_once(i):
    await asyncio.sleep(0)
    return i


async def spawn(n):
    """n tasks, each yielding once and returning its index, gathered; seconds."""
    start = time.perf_counter()
    tasks = [asyncio.create_task(yield_once(i)) for i in range(n)]
    results = await asyncio.gather(*tasks)
    seconds = time.perf_counter() - start
    assert len(results) == n and results[-1] == n - 1
    return seconds


async def w1(args):
    n = args.n or 200_000
    await spawn(max(1, n // 10))
    seconds = await spawn(n)
    return dict(n=n, wall_s=seconds, value=n / seconds, unit='tasks/s')


# ---------------------------------------------------------------- W2 ping-pong

async def ping_pong(m):
    """Two tasks bounce a message through two queues of size 1, m round trips; seconds."""
    there, back = asyncio.Queue(1), asyncio.Queue(1)

    async def echo():
        for _ in range(m):
            await back.put(await there.get())

    start = time.perf_counter()
    echoer = asyncio.create_task(echo())
    for i in range(m):
        await there.put(i)
        assert await back.get() == i
    await echoer
    return time.perf_counter() - start


async def w2(args):
    m = args.n or 200_000
    await ping_pong(max(1, m // 10))
    seconds = await ping_pong(m)
    return dict(m=m, wall_s=seconds, value=m / seconds, unit='round-trips/s')


# ---------------------------------------------------------------- W3 callbacks

async def callbacks(n, chained):
    """n call_soon callbacks, all scheduled up front (flat) or each scheduling the next (chained); seconds."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    remaining = n

    def flat():
        nonlocal remaining
        remaining -= 1
        if remaining == 0:
            done.set_result(None)

    def chain():
        nonlocal remaining
        remaining -= 1
        if remaining == 0:
            done.set_result(None)
        else:
            loop.call_soon(chain)

    start = time.perf_counter()
    if chained:
        loop.call_soon(chain)
    else:
        for _ in range(n):
            loop.call_soon(flat)
    await done
    return time.perf_counter() - start


async def w3(args):
    n = args.n or 1_000_000
    variant = args.variant or 'flat'
    chained = variant == 'chained'
    await callbacks(max(1, n // 10), chained)
    seconds = await callbacks(n, chained)
    return dict(variant=variant, n=n, wall_s=seconds, value=n / seconds, unit='callbacks/s')


# ---------------------------------------------------------------- W4 timers

async def w4(args):
    """n call_later timers with seeded random delays in [0, max_delay]; ms from the start of scheduling past the
    largest delay when the last one fired. Counts the timers that fired before one with an earlier deadline."""
    n = args.n or 200_000
    max_delay = args.max_delay
    loop = asyncio.get_running_loop()
    rng = random.Random(args.seed)
    delays = [rng.uniform(0, max_delay) for _ in range(n)]
    done = loop.create_future()
    state = {'fired': 0, 'last_deadline': float('-inf'), 'out_of_order': 0}

    def fire(i):
        deadline = deadlines[i]
        if deadline < state['last_deadline']:
            state['out_of_order'] += 1
        state['last_deadline'] = deadline
        state['fired'] += 1
        if state['fired'] == n:
            done.set_result(loop.time())

    # Each timer's deadline as the loop computed it: handle.when(), except that uvloop answers call_later with a
    # delay of 0 by a plain Handle, which has no when() (its deadline is then the time it was scheduled).
    deadlines = []
    start = loop.time()
    for i, d in enumerate(delays):
        now = loop.time()
        handle = loop.call_later(d, fire, i)
        deadlines.append(handle.when() if hasattr(handle, 'when') else now)
    finished = await done
    overshoot = finished - start - max(delays)
    # Reported, not fatal, as the .NET runs report it: uvloop's timers have a resolution of 1 ms, so timers due
    # within the same millisecond may fire in any order.
    return dict(n=n, max_delay_s=max_delay, seed=args.seed, value=overshoot * 1e3, unit='ms beyond max delay',
                out_of_order=state['out_of_order'])


# ---------------------------------------------------------------- W5 memory

def rss_bytes():
    """Resident set size of this process, from /proc (Linux)."""
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    import resource
    return pages * resource.getpagesize()


async def w5(args):
    """n tasks suspended on one never-completed future; RSS growth per task."""
    n = args.n or 100_000
    loop = asyncio.get_running_loop()
    never = loop.create_future()

    async def wait_forever():
        await never

    gc.collect()
    before = rss_bytes()
    tasks = [asyncio.create_task(wait_forever()) for _ in range(n)]
    await asyncio.sleep(0)  # every task runs up to its await
    await asyncio.sleep(0)
    gc.collect()
    after = rss_bytes()
    assert all(not t.done() for t in tasks)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return dict(n=n, rss_before=before, rss_after=after, value=(after - before) / n, unit='bytes/task (RSS)')


# ---------------------------------------------------------------- W7 fan-out

async def fan_out(n, limit):
    """n tasks through a Semaphore(limit), each yielding once inside; seconds."""
    semaphore = asyncio.Semaphore(limit)

    async def worker(i):
        async with semaphore:
            await asyncio.sleep(0)
        return i

    start = time.perf_counter()
    results = await asyncio.gather(*(worker(i) for i in range(n)))
    seconds = time.perf_counter() - start
    assert len(results) == n
    return seconds


async def w7(args):
    n = args.n or 100_000
    await fan_out(max(1, n // 10), args.limit)
    seconds = await fan_out(n, args.limit)
    return dict(n=n, limit=args.limit, wall_s=seconds, value=n / seconds, unit='tasks/s')


WORKLOADS = {'W1': w1, 'W2': w2, 'W3': w3, 'W4': w4, 'W5': w5, 'W7': w7}


def main():
    if sys.argv[1:] == ['--list']:
        print(' '.join(WORKLOADS))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('workload', choices=sorted(WORKLOADS))
    parser.add_argument('--n', type=int, help='size (W2: round trips); the workload\'s default when omitted')
    parser.add_argument('--variant', default='', help='W3: flat (default) or chained')
    parser.add_argument('--seed', type=int, default=1, help='W4: random seed of the delays')
    parser.add_argument('--max-delay', type=float, default=1.0, help='W4: largest delay in seconds')
    parser.add_argument('--limit', type=int, default=100, help='W7: semaphore size')
    parser.add_argument('--uvloop', action='store_true', help='run on uvloop')
    args = parser.parse_args()
    runtime = 'asyncio'
    if args.uvloop:
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        runtime = 'asyncio+uvloop'
    result = asyncio.run(WORKLOADS[args.workload](args))
    emit(dict(w=args.workload, runtime=runtime, **result))


if __name__ == '__main__':
    main()
