#!/usr/bin/env python3
"""Side-by-side benchmark runner: every registered workload on every runtime, one markdown table.

    python3 bench/run.py [--repeat 3] [--workloads W1,W3] [--write docs/benchmarks.md] [--bdn] [--quick]
    python3 bench/run.py --only W6          # just the echo servers (W6 and W6-idle)

Runtimes (columns):
  aio, .NET tp, .NET st   the workloads registered in bench/Asyncio.Bench (`--list` prints NAME RUNTIME [VARIANTS])
  asyncio                 CPython asyncio (`/usr/bin/python3` when present, else `python3`; or --python)
  uvloop                  asyncio on uvloop (`/usr/bin/python3 ... --uvloop`, or --uvloop-python); when it is not
                          importable the runner tries `apt-get install -y python3-uvloop` (as root), else n/a
  C                       W6 only: bench/c/echo_server, built with `cc -O2`

W6 (echo) and W6-idle are driven from outside the measured process: bench/echo_runner.py starts each server as its
own process (.NET: `Asyncio.Bench echo-server`, CPython: bench/py/echo.py, C: bench/c/echo_server) and drives it with
bench/c/echo_client. `--workloads W6` (or `--only W6`) selects both.

H1 and H2 (HTTP downloads) are driven the same way: bench/http_runner.py starts one local HTTP server
(`Asyncio.Bench http-server`) for the run and runs each client as its own process (`Asyncio.Bench http-client
--client aio|tp`, and aiohttp's bench/py/http.py in the CPython column; the runner tries `apt-get install -y
python3-aiohttp` when it is missing, else n/a).

Where the CPython side of a workload comes from: a bench/py/<area>.py that lists it (bench/py/core.py for W1-W5 and W7,
composition.py, executors.py, greenlets.py for G1-G4: greenlet and gevent). The convention for those files: `python3 FILE --list` prints the workload names it
implements, one per line or space-separated; `python3 FILE NAME [--variant V] [--uvloop]` prints one JSON line
{"w": NAME, "runtime": "asyncio", "value": ..., "unit": ...}. A workload no file lists reads n/a in the CPython columns.

Each cell is the median of --repeat runs (runs go round-robin over the runtimes, so a burst of load on the shared
machine hits all of them). Ratios are oriented so that > 1 always means this library is better: for rates (units
ending in /s) aio / other, for costs (ms, bytes) other / aio. The table, the targets and the document are made by
bench/report.py; this file finds what to run and runs it.
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import echo_runner
import http_runner
from report import DOTNET_RUNTIMES, NO_UVLOOP, NOTES, PY_RUNTIMES, all_runs, fmt, markdown_table, table_rows, targets, write_doc

ROOT = Path(__file__).resolve().parent.parent
PROJECT = 'bench/Asyncio.Bench'


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, timeout, env=None):
    """Runs a command; returns (exit code, stdout, stderr). A timeout counts as exit code -1."""
    try:
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return -1, e.stdout or '', f'timed out after {timeout} s'


def last_json(stdout):
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith('{'):
            return json.loads(line)
    raise ValueError('no JSON line in the output')


# ---------------------------------------------------------------- discovering what to run

def build_dotnet():
    """Builds the bench project once in Release and returns the path of its assembly."""
    log(f'building {PROJECT} (Release)...')
    code, out, err = run(['dotnet', 'build', '-c', 'Release', PROJECT, '-nologo', '-v', 'q'], timeout=900)
    if code != 0:
        sys.exit(f'build failed:\n{out[-4000:]}\n{err[-2000:]}')
    code, out, err = run(['dotnet', 'msbuild', PROJECT, '-getProperty:TargetPath', '-p:Configuration=Release'], timeout=300)
    dll = out.strip()
    if code != 0 or not Path(dll).is_file():
        sys.exit(f'cannot find the built assembly: {out} {err}')
    return dll


def list_dotnet(dll):
    """[(name, runtime, [variants])] from `Asyncio.Bench --list`."""
    code, out, err = run(['dotnet', dll, '--list'], timeout=120)
    if code != 0:
        sys.exit(f'--list failed: {err}')
    entries = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            entries.append((parts[0], parts[1], parts[2].split(',') if len(parts) > 2 else []))
    return entries


def python_scripts(python):
    """workload name -> script implementing it for CPython."""
    scripts = {}
    for f in sorted((ROOT / 'bench' / 'py').glob('*.py')):
        code, out, err = run([python, str(f), '--list'], timeout=60)
        if code != 0:
            log(f'warning: {f.relative_to(ROOT)} --list failed: {err.strip()[:200]}')
            continue
        for name in out.split():
            scripts.setdefault(name, f)
    return scripts


def python_version(python):
    code, out, _ = run([python, '-c', 'import sys; print(sys.version.split()[0])'], timeout=30)
    return out.strip() if code == 0 else None


def uvloop_version(python):
    code, out, _ = run([python, '-c', 'import uvloop; print(uvloop.__version__)'], timeout=30)
    return out.strip() if code == 0 else None


def install_uvloop(python):
    """Debian packages uvloop for its own interpreter: try to install it when missing; a failure leaves the column n/a."""
    if uvloop_version(python) is not None or not hasattr(os, 'geteuid') or os.geteuid() != 0 or not shutil.which('apt-get'):
        return
    log('uvloop is missing: trying apt-get install -y python3-uvloop...')
    code, _, err = run(['sh', '-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-uvloop'],
                       timeout=600)
    if code != 0:
        log(f'apt-get failed (exit {code}): {err.strip()[-300:]}')


# ---------------------------------------------------------------- measuring

def command_for(runtime, name, variant, dll, scripts, args):
    extra = ['--variant', variant] if variant else []
    if runtime in DOTNET_RUNTIMES:
        return ['dotnet', dll, name, '--runtime', runtime] + extra
    script = str(scripts[name])
    if runtime == 'asyncio':
        return [args.python, script, name] + extra
    return [args.uvloop_python, script, name] + extra + ['--uvloop']


def dotnet_env(args, workload):
    """The environment of every .NET run (aio, tp and st alike).

    --jit steady (the default) lets the runtime tier hot methods up at once instead of after its 100 ms start-up
    delay: CoreLib's own code is precompiled (ReadyToRun) while a library's starts at tier 0, so with the default
    delay a run shorter than a second mostly measures unoptimized code on one side only. --jit default leaves the
    runtime as it is.
    """
    env = dict(os.environ)
    # Not for the CPU speed-up workloads: they warm their code themselves, and the setting would be inherited by the
    # worker processes of the process pool, where immediate re-compilation competes with the jobs for the two cores.
    if args.jit == 'steady' and not workload.startswith('exec_cpu'):
        env['DOTNET_TC_CallCountingDelayMs'] = '0'
    return env


def measure(rows, dll, scripts, args, raw):
    """rows: [(name, variant, [runtimes])]. Returns {(name, variant, runtime): [results]}."""
    results = {}
    total = sum(len([rt for rt in r[2] if rt not in args.unavailable]) for r in rows) * args.repeat
    done = 0
    for rep in range(args.repeat):
        for name, variant, runtimes in rows:
            for runtime in runtimes:
                if runtime in args.unavailable:
                    continue
                done += 1
                cmd = command_for(runtime, name, variant, dll, scripts, args)
                env = dotnet_env(args, name) if runtime in DOTNET_RUNTIMES else None
                t0 = time.monotonic()
                code, out, err = run(cmd, timeout=args.timeout, env=env)
                label = f'{name}{" " + variant if variant else ""} {runtime}'
                try:
                    if code != 0:
                        raise ValueError(f'exit {code}: {err.strip()[-300:]}')
                    result = last_json(out)
                    results.setdefault((name, variant, runtime), []).append(result)
                    raw.write(json.dumps({'row': [name, variant, runtime], 'result': result}) + '\n')
                    log(f'[{done}/{total}] {label}: {fmt(result["value"])} {result["unit"]} ({time.monotonic() - t0:.1f} s)')
                except ValueError as e:
                    log(f'[{done}/{total}] {label}: FAILED {e}')
    return results


def load_raw(path, rows):
    """Results saved by an earlier run (bench/results/raw/*.jsonl), for the rows measured now."""
    known = {(n, v, rt) for n, v, rts in rows for rt in rts} | {(n, None, rt) for n, _, rts in rows for rt in rts}
    results = {}
    for line in Path(path).read_text().splitlines():
        record = json.loads(line)
        if 'row' in record:
            key, result = tuple(record['row']), record['result']
        else:  # the first format: the bare JSON line of the run
            result = record
            runtime = {'asyncio': 'asyncio', 'asyncio+uvloop': 'uvloop'}.get(result['runtime'], result['runtime'])
            key = (result['w'], result.get('variant'), runtime)
            if key not in known:
                key = (result['w'], None, runtime)
        if key in known:
            results.setdefault(key, []).append(result)
    return results


# ---------------------------------------------------------------- BenchmarkDotNet

def run_bdn(dll, args):
    """Runs the CallSoon allocation benchmark; returns (summary table lines, True if it allocated 0 B)."""
    log('running BenchmarkDotNet *CallSoon* (in-process, short run)...')
    code, out, err = run(['dotnet', dll, '--bdn', '--filter', '*CallSoon*'], timeout=900)
    table = [l for l in out.splitlines() if l.startswith('|')]
    if code != 0 or not table:
        log(f'BenchmarkDotNet failed (exit {code}): {err[-500:]}')
        return None, None
    header = [h.strip() for h in table[0].strip('|').split('|')]
    zero = None
    if 'Allocated' in header:
        col = header.index('Allocated')
        cells = [l.strip('|').split('|')[col].strip() for l in table[2:]]
        zero = bool(cells) and all(c in ('-', '0 B') for c in cells)
    return table, zero


# ---------------------------------------------------------------- main

def machine_facts(args):
    _, dotnet, _ = run(['dotnet', '--version'], timeout=60)
    facts = [
        ('cores (nproc)', str(os.cpu_count())),
        ('OS', platform.platform()),
        ('dotnet', dotnet.strip()),
        ('python3 (asyncio)', f'{python_version(args.python)} ({args.python})'),
    ]
    uv = uvloop_version(args.uvloop_python)
    facts.append(('uvloop', f'{uv} on Python {python_version(args.uvloop_python)} ({args.uvloop_python})' if uv else 'not installed'))
    return facts


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--repeat', type=int, help='runs per cell; the table shows the median (default 3; W6: 5, W6-idle: 3)')
    p.add_argument('--quick', action='store_true', help='fewer, shorter runs: 1 per cell (W6: 3 runs of 2 s, W6-idle: 1)')
    p.add_argument('--workloads', '--only', help='comma-separated workload names (default: all registered)')
    p.add_argument('--runtimes', default='aio,asyncio,uvloop,tp,st,c', help='comma-separated columns to measure')
    p.add_argument('--write', metavar='FILE', help='also write the results as markdown (e.g. docs/benchmarks.md)')
    p.add_argument('--bdn', action='store_true', help='also run the BenchmarkDotNet CallSoon allocation benchmark')
    # The system interpreter by default: the one uvloop runs on, so both CPython columns share an interpreter, and
    # Debian's build is optimized (PGO/LTO), unlike a source-built pyenv one (1.75x slower on W3 here).
    default_python = '/usr/bin/python3' if Path('/usr/bin/python3').exists() else 'python3'
    p.add_argument('--python', default=default_python, help=f'interpreter for the asyncio column (default {default_python})')
    p.add_argument('--uvloop-python', default='/usr/bin/python3', help='interpreter with uvloop installed')
    p.add_argument('--timeout', type=int, default=300, help='seconds allowed per run')
    p.add_argument('--jit', choices=['steady', 'default'], default='steady',
                   help='steady: .NET runs tier up without the start-up delay (all .NET columns alike); default: as shipped')
    p.add_argument('--from-raw', metavar='JSONL', help='make the table from a saved bench/results/raw file instead of measuring')
    args = p.parse_args()
    args.w6_repeat = args.repeat or (3 if args.quick else 5)
    args.w6_idle_repeat = args.repeat or (1 if args.quick else 3)
    args.repeat = args.repeat or (1 if args.quick else 3)
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = f'{os.getloadavg()[0]:.1f}'
    wanted = set(args.runtimes.split(','))

    dll = build_dotnet()
    entries = list_dotnet(dll)
    scripts = python_scripts(args.python)
    args.unavailable = set()
    if 'uvloop' in wanted and not args.from_raw:
        install_uvloop(args.uvloop_python)
    if 'uvloop' in wanted and uvloop_version(args.uvloop_python) is None:
        log(f'note: uvloop is not importable by {args.uvloop_python} (Debian: apt-get install -y python3-uvloop); '
            'its column reads n/a.')
        args.unavailable.add('uvloop')

    names = sorted({e[0] for e in entries})
    if args.workloads:
        names = [n for n in names if n in set(args.workloads.split(','))]
    rows = []
    for name in names:
        dotnet_rts = [rt for (n, rt, _) in entries if n == name and rt in wanted]
        variants = sorted({v for (n, _, vs) in entries if n == name for v in vs}, key=lambda v: (v != 'flat', v)) or [None]
        py_rts = [rt for rt in PY_RUNTIMES if rt in wanted and name in scripts and not (rt == 'uvloop' and name in NO_UVLOOP)]
        for variant in variants:
            rows.append((name, variant, [rt for rt in DOTNET_RUNTIMES if rt in dotnet_rts] + py_rts))
    w6_rows = echo_runner.rows(echo_runner.selected(args.workloads.split(',') if args.workloads else None), wanted)
    h_rows = http_runner.rows(http_runner.selected(args.workloads.split(',') if args.workloads else None), wanted)

    if args.from_raw:
        results = load_raw(args.from_raw, rows + w6_rows + h_rows)
    else:
        raw_dir = ROOT / 'bench' / 'results' / 'raw'
        raw_dir.mkdir(parents=True, exist_ok=True)
        raw_path = raw_dir / f'{started:%Y%m%dT%H%M%S}.jsonl'
        log(f'raw results: {raw_path.relative_to(ROOT)}')
        with open(raw_path, 'w') as raw:
            results = measure(rows, dll, scripts, args, raw)
            if w6_rows:
                results.update(echo_runner.measure(w6_rows, dll, args, raw,
                                                   lambda rt: dotnet_env(args, 'W6') if rt in DOTNET_RUNTIMES else None))
            if h_rows:
                results.update(http_runner.measure(h_rows, dll, args, raw,
                                                   lambda rt: dotnet_env(args, 'H') if rt in DOTNET_RUNTIMES else None))
    rows += w6_rows + h_rows

    bdn_table, bdn_zero = run_bdn(dll, args) if args.bdn else (None, None)
    trows = table_rows(rows, results)
    target_rows = targets(trows, bdn_zero)
    print(markdown_table(trows))
    print()
    for t, m, v in target_rows:
        print(f'{t}: {m} -> {v.strip("*")}')
    if args.write:
        command = 'python3 bench/run.py ' + ' '.join(shlex.quote(a) for a in sys.argv[1:])
        if args.from_raw:
            raw = Path(args.from_raw)
            measured = datetime.datetime.fromtimestamp(raw.stat().st_mtime, datetime.timezone.utc)
            when, loads = f'Table rebuilt from `{raw.name}`, measured until {measured:%Y-%m-%d %H:%M} UTC (load not recorded).', None
        else:
            when, loads = f'Run on {started:%Y-%m-%d %H:%M} UTC.', (load_start, f'{os.getloadavg()[0]:.1f}')
        write_doc(ROOT / args.write, command.strip(), when, machine_facts(args), loads, trows, target_rows, bdn_table,
                  NOTES, all_runs(rows, results))
        log(f'wrote {args.write}')


if __name__ == '__main__':
    main()
