#!/usr/bin/env python3
"""greenlet and gevent versions of the greenlet workloads (bench/Asyncio.Bench/Workloads/GreenletWorkloads.cs).

Usage:  python3 greenlets.py G1|G2|G3|G4 [--n N]
Prints one JSON line: {"w": NAME, "runtime": "asyncio", "value": ..., "unit": ...}, "asyncio" being the column
run.py puts CPython's figure in; "reference" says which library measured it (greenlet or gevent).

G1  switch round trips: the main greenlet and an echo greenlet switching a value back and forth (greenlet).
G2  gevent.spawn + gevent.sleep(0) + gevent.joinall over N greenlets (gevent).
G3  round trips between two spawned greenlets over two gevent.queue.Queue (gevent).
G4  memory per suspended greenlet: growth of the resident set (and tracemalloc's count) over N greenlets, each
    started and switched out of (greenlet).
"""
import gc
import json
import os
import sys
import time


def g1(n):
    from greenlet import greenlet, getcurrent

    main = getcurrent()

    def echo(v):
        while True:
            v = main.switch(v)

    e = greenlet(echo)
    v = 0
    t0 = time.perf_counter()
    for i in range(n):
        v = e.switch(i)
    elapsed = time.perf_counter() - t0
    assert v == n - 1
    return n / elapsed, "round trips/s", {"n": n, "seconds": elapsed}


def g2(n):
    import gevent

    def work(i):
        gevent.sleep(0)
        return i

    t0 = time.perf_counter()
    gs = [gevent.spawn(work, i) for i in range(n)]
    gevent.joinall(gs)
    elapsed = time.perf_counter() - t0
    assert all(g.value == i for i, g in enumerate(gs))
    return n / elapsed, "greenlets/s", {"n": n, "seconds": elapsed}


def g3(n):
    import gevent
    from gevent.queue import Queue

    ping, pong = Queue(), Queue()

    def pinger():
        for i in range(n):
            ping.put(i)
            assert pong.get() == i

    def ponger():
        for _ in range(n):
            pong.put(ping.get())

    t0 = time.perf_counter()
    gevent.joinall([gevent.spawn(pinger), gevent.spawn(ponger)], raise_error=True)
    elapsed = time.perf_counter() - t0
    return n / elapsed, "round trips/s", {"n": n, "seconds": elapsed}


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def g4(n):
    import tracemalloc
    from greenlet import greenlet, getcurrent

    main = getcurrent()

    def parked(_):
        main.switch()  # suspended here for good

    gc.collect()
    tracemalloc.start()
    rss0, (traced0, _) = rss_bytes(), tracemalloc.get_traced_memory()
    gs = []
    for _ in range(n):
        g = greenlet(parked)
        g.switch(None)
        gs.append(g)
    gc.collect()
    rss1, (traced1, _) = rss_bytes(), tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert all(not g.dead for g in gs)
    return (rss1 - rss0) / n, "bytes/greenlet", {"n": n, "tracemalloc_bytes_per_greenlet": (traced1 - traced0) / n}


WORKLOADS = {
    "G1": (g1, 1_000_000, "greenlet"),
    "G2": (g2, 100_000, "gevent"),
    "G3": (g3, 100_000, "gevent"),
    "G4": (g4, 100_000, "greenlet"),
}


def main():
    if sys.argv[1:] == ["--list"]:
        # Only where greenlet and gevent are importable (Debian: python3-greenlet, python3-gevent).
        try:
            import gevent  # noqa: F401
            import greenlet  # noqa: F401
        except ImportError:
            return
        print(" ".join(sorted(WORKLOADS)))
        return
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--n", type=int)
    parser.add_argument("--variant")
    args = parser.parse_args()
    func, default_n, reference = WORKLOADS[args.workload]
    n = args.n or default_n
    if args.workload != "G4":
        func(max(1, n // 10))  # warm-up at a tenth of the size, as the .NET side does
    value, unit, details = func(n)
    print(json.dumps({"w": args.workload, "runtime": "asyncio", "reference": reference, "value": value, "unit": unit, **details}))


if __name__ == "__main__":
    main()
