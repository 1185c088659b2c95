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
python3-aiohttp` when it is missing, else n/a). Each is two rows, `H1 tasks` and `H1 workers`: the shape of the
asyncio-style clients (`--shape`: a task per file under a semaphore, or a pool of 32 workers; see http_runner.py).

Where the CPython side of a workload comes from: a bench/py/<area>.py that lists it (bench/py/core.py for W1-W5 and W7,
composition.py, executors.py, greenlets.py for G1-G4: greenlet and gevent). The convention for those files: `python3 FILE --list` prints the workload names it
implements, one per line or space-separated; `python3 FILE NAME [--variant V] [--uvloop]` prints one JSON line
{"w": NAME, "runtime": "asyncio", "value": ..., "unit": ...}. A workload no file lists reads n/a in the CPython columns.

What a run keeps: every measurement goes to bench/results/raw/START.jsonl (ignored by git; the format is in
bench/runs.py), with the run's rows, machine, load and BenchmarkDotNet table. `--write docs/benchmarks.md` also fills
the folder beside the document, docs/benchmarks/: runs.jsonl (the raw results the document shows, committed with it),
the charts (bench/charts.py: PNG, drawn with Debian's matplotlib on /usr/bin/python3, installed when missing) and
analysis.md, the hand-written analysis, which the document includes only while its first line names these runs
(`<!-- runs: ID ID -->`): after a new run, write a new one. Rebuild the document and its charts without measuring:

    python3 bench/run.py --from-raw docs/benchmarks/runs.jsonl --write docs/benchmarks.md
    python3 bench/run.py --from-raw bench/results/raw/A.jsonl bench/results/raw/B.jsonl --write docs/benchmarks.md

Several raw files combine (a second run of a few workloads beside a full one); the result of writing the same document
twice from the same runs.jsonl is identical, charts included.

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
import runs
from report import DOTNET_RUNTIMES, NO_UVLOOP, NOTES, PY_RUNTIMES, all_runs, fmt, markdown_table, paired_ratios, table_rows, targets, write_doc

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


def registered_rows(args, wanted):
    """Builds the bench project and lists what it and bench/py implement: ([(name, variant, [runtimes])], dll, scripts)."""
    dll = build_dotnet()
    entries = list_dotnet(dll)
    scripts = python_scripts(args.python)
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
    selection = args.workloads.split(',') if args.workloads else None
    rows += echo_runner.rows(echo_runner.selected(selection), wanted)
    rows += http_runner.rows(http_runner.selected(selection), wanted)
    return rows, dll, scripts


def measure_all(rows, dll, scripts, args, raw):
    """Runs every row: the in-process workloads, then W6's servers and H1/H2's clients, driven from outside."""
    w6_names, h_names = {echo_runner.ECHO, echo_runner.IDLE}, set(http_runner.WORKLOADS)
    results = measure([r for r in rows if r[0] not in w6_names | h_names], dll, scripts, args, raw)
    w6_rows, h_rows = [r for r in rows if r[0] in w6_names], [r for r in rows if r[0] in h_names]
    if w6_rows:
        results.update(echo_runner.measure(w6_rows, dll, args, raw,
                                           lambda rt: dotnet_env(args, 'W6') if rt in DOTNET_RUNTIMES else None))
    if h_rows:
        results.update(http_runner.measure(h_rows, dll, args, raw,
                                           lambda rt: dotnet_env(args, 'H') if rt in DOTNET_RUNTIMES else None))
    return results


def draw_charts(raw_file, folder):
    """Draws the charts with bench/charts.py, which needs matplotlib and finds it itself (Debian's, on /usr/bin/python3,
    installed when missing). Returns [(file name, title, caption)]; a failure leaves the document without charts."""
    code, out, err = run([sys.executable, str(ROOT / 'bench' / 'charts.py'), '--from-raw', str(raw_file), '--out', str(folder)],
                         timeout=900)
    if code != 0:
        log(f'charts failed (exit {code}): {err.strip()[-800:]}')
        return []
    charts = [json.loads(line) for line in out.splitlines() if line.startswith('{')]
    return [(c['file'], c['title'], c['caption']) for c in charts]


def measuring_command():
    """This command line without --from-raw and its files: the command that measures what it shows."""
    argv, skipping = [], False
    for a in sys.argv[1:]:
        skipping = a == '--from-raw' or (skipping and not a.startswith('-'))
        if not skipping:
            argv.append(a)
    return ' '.join(['python3', 'bench/run.py'] + [shlex.quote(a) for a in argv])


def published_doc(measure_command, doc_path):
    """The document the measuring command writes (docs/benchmarks.md), so that the commands the document shows read the
    same wherever this copy of it is written."""
    argv = shlex.split(measure_command)
    return Path(argv[argv.index('--write') + 1] if '--write' in argv[:-1] else doc_path)


def redraw_command(doc):
    return f'python3 bench/run.py --from-raw {doc.with_suffix("")}/runs.jsonl --write {doc}'


def charts_note(doc):
    folder = doc.with_suffix('')
    return (f'Drawn by bench/charts.py from {folder}/runs.jsonl with matplotlib (Debian\'s python3-matplotlib for '
            f'/usr/bin/python3, which the script installs when missing and runs under when the `python3` on PATH lacks '
            f'it); `python3 bench/charts.py --from-raw {folder}/runs.jsonl --out {folder}` redraws only the charts.')


def write_document(args, saved, rows, results, trows, target_rows, bdn_table):
    """--write DOC: DOC, and beside it the folder DOC without .md (docs/benchmarks/) with the results the document
    shows (runs.jsonl), the hand-written analysis of these runs (analysis.md, kept when it names them) and the charts."""
    doc_path = ROOT / args.write
    folder = doc_path.with_suffix('')
    folder.mkdir(parents=True, exist_ok=True)
    raw_file = folder / 'runs.jsonl'
    sources = [Path(f) for f in args.from_raw] if args.from_raw else [args.raw_path]
    if [s.resolve() for s in sources] != [raw_file.resolve()]:
        raw_file.write_text(''.join(s.read_text() for s in sources))
    analysis_files = [s.parent / 'analysis.md' for s in sources] + [folder / 'analysis.md']
    analysis, note = runs.analysis(analysis_files, saved.ids)
    if note:
        log(f'note: {note}')
    if analysis and not (folder / 'analysis.md').is_file():
        shutil.copyfile(next(f for f in analysis_files if f.is_file()), folder / 'analysis.md')
    measure_command = saved.command() or measuring_command()
    when = runs.describe(saved, results)
    if when is None:  # a raw file from before run records
        measured = datetime.datetime.fromtimestamp(sources[0].stat().st_mtime, datetime.timezone.utc)
        when = f'Table rebuilt from `{sources[0].name}`, measured until {measured:%Y-%m-%d %H:%M} UTC (load not recorded).'
    charts = [(f'{folder.name}/{name}', title, caption) for name, title, caption in draw_charts(raw_file, folder)]
    published = published_doc(measure_command, args.write)
    write_doc(doc_path, dict(
        measure=measure_command, redraw=redraw_command(published), when=when,
        facts=saved.facts() or machine_facts(args), trows=trows, target_rows=target_rows, bdn_table=bdn_table,
        analysis=analysis, charts=charts, charts_note=charts_note(published), notes=NOTES, runs=all_runs(rows, results)))
    log(f'wrote {args.write} and {folder}/')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--repeat', type=int, help='runs per cell; the table shows the median (default 3; W6: 5, W6-idle: 3)')
    p.add_argument('--quick', action='store_true', help='fewer, shorter runs: 1 per cell (W6: 3 runs of 2 s, W6-idle: 1)')
    p.add_argument('--workloads', '--only', help='comma-separated workload names (default: all registered)')
    p.add_argument('--runtimes', default='aio,asyncio,uvloop,tp,st,c', help='comma-separated columns to measure')
    p.add_argument('--write', metavar='FILE', help='also write the results as markdown (e.g. docs/benchmarks.md), and '
                   'beside it, in FILE without .md, the raw results, the charts and the hand-written analysis.md')
    p.add_argument('--bdn', action='store_true', help='also run the BenchmarkDotNet CallSoon allocation benchmark')
    # The system interpreter by default: the one uvloop runs on, so both CPython columns share an interpreter, and
    # Debian's build is optimized (PGO/LTO), unlike a source-built pyenv one (1.75x slower on W3 here).
    default_python = '/usr/bin/python3' if Path('/usr/bin/python3').exists() else 'python3'
    p.add_argument('--python', default=default_python, help=f'interpreter for the asyncio column (default {default_python})')
    p.add_argument('--uvloop-python', default='/usr/bin/python3', help='interpreter with uvloop installed')
    p.add_argument('--timeout', type=int, default=300, help='seconds allowed per run')
    p.add_argument('--jit', choices=['steady', 'default'], default='steady',
                   help='steady: .NET runs tier up without the start-up delay (all .NET columns alike); default: as shipped')
    p.add_argument('--from-raw', metavar='JSONL', nargs='+',
                   help='make the table, the document and the charts from saved raw results (bench/results/raw/*.jsonl, '
                        'docs/benchmarks/runs.jsonl; several files combine) instead of measuring; --bdn is then not run '
                        'again, the saved BenchmarkDotNet table is shown')
    args = p.parse_args()
    args.w6_repeat = args.repeat or (3 if args.quick else 5)
    args.w6_idle_repeat = args.repeat or (1 if args.quick else 3)
    args.repeat = args.repeat or (1 if args.quick else 3)
    wanted = set(args.runtimes.split(','))

    if args.from_raw:
        saved = runs.load(args.from_raw)
        rows = saved.rows()
        if rows is None:   # saved before the runs recorded their rows: the rows registered now
            rows = registered_rows(args, wanted)[0]
        elif args.workloads:
            rows = [r for r in rows if r[0] in set(args.workloads.split(','))]
        results = saved.results(rows)
        bdn_table, bdn_zero = saved.bdn()
    else:
        started = datetime.datetime.now(datetime.timezone.utc)
        load_start = f'{os.getloadavg()[0]:.1f}'
        rows, dll, scripts = registered_rows(args, wanted)
        args.unavailable = set()
        if 'uvloop' in wanted:
            install_uvloop(args.uvloop_python)
            if uvloop_version(args.uvloop_python) is None:
                log(f'note: uvloop is not importable by {args.uvloop_python} (Debian: apt-get install -y python3-uvloop); '
                    'its column reads n/a.')
                args.unavailable.add('uvloop')
        raw_dir = ROOT / 'bench' / 'results' / 'raw'
        raw_dir.mkdir(parents=True, exist_ok=True)
        args.raw_path = raw_dir / f'{started:{runs.RUN_ID_FORMAT}}.jsonl'
        log(f'raw results: {args.raw_path.relative_to(ROOT)}')
        with open(args.raw_path, 'w') as raw:
            raw.write(json.dumps(runs.start_record(started, measuring_command(), machine_facts(args), load_start, rows)) + '\n')
            results = measure_all(rows, dll, scripts, args, raw)
            bdn_table, bdn_zero = run_bdn(dll, args) if args.bdn else (None, None)
            raw.write(json.dumps(runs.end_record(started, f'{os.getloadavg()[0]:.1f}', bdn_table, bdn_zero)) + '\n')
        saved = runs.load([args.raw_path])

    trows = table_rows(rows, results)
    target_rows = targets(trows, bdn_zero, paired_ratios(saved.measurements))
    print(markdown_table(trows))
    print()
    for t, m, v in target_rows:
        print(f'{t}: {m} -> {v.strip("*")}')
    if args.write:
        write_document(args, saved, rows, results, trows, target_rows, bdn_table)


if __name__ == '__main__':
    main()
