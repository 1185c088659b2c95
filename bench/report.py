"""The table, the targets and docs/benchmarks.md, made from the runs bench/run.py collected.

results: {(workload, variant, runtime): [the JSON line of each run]}.
"""
import statistics
from pathlib import Path

DOTNET_RUNTIMES = ['aio', 'tp', 'st']
PY_RUNTIMES = ['asyncio', 'uvloop']
# 'c': W6's C echo server, the one workload with a C baseline; its column shows only in a table that has such a cell.
COLUMNS = [('aio', 'aio'), ('asyncio', 'asyncio'), ('uvloop', 'uvloop'), ('tp', '.NET tp'), ('st', '.NET st'), ('c', 'C')]
OPTIONAL_COLUMNS = {'c'}

# Figures the .NET workloads report besides their headline, shown as rows of their own:
# workload -> [(field, unit, python_headline)]. python_headline: the CPython script's headline value measures the
# same thing (W5's reference figure is RSS per task, while the .NET headline is managed heap per task).
EXTRA_ROWS = {
    'W3': [('alloc_bytes_per_callsoon', 'bytes allocated/CallSoon', False)],
    'W5': [('warm_heap_bytes_per_task', 'bytes/task (GC heap, 2nd round)', False),
           ('rss_bytes_per_task', 'bytes/task (RSS)', True)],
    'LIMITER': [('error_pct', '% from the ideal time', False)],
    'W6': [('cpu_us_per_request', 'µs server CPU/request', False)],
    'G4': [('rss_bytes_per_greenlet', 'bytes/greenlet (RSS)', True)],
    'H1': [('cpu_s_per_gb', 'client CPU s/GB', False), ('alloc_bytes_per_file', '.NET client bytes allocated/file', False)],
    'H2': [('cpu_s_per_gb', 'client CPU s/GB', False), ('alloc_bytes_per_file', '.NET client bytes allocated/file', False)],
}
# The .NET headline of these workloads is not what the CPython script measures: its cells stay empty there.
PY_HEADLINE_ELSEWHERE = {'W5', 'G4'}
# Workloads whose CPython side is not asyncio (greenlet, gevent): uvloop has nothing to add, so they skip its column.
NO_UVLOOP = {'G1', 'G2', 'G3', 'G4'}


# ---------------------------------------------------------------- the table

def higher_is_better(unit):
    return unit.endswith('/s') or unit.endswith('speed-up')


def median_of(results, field):
    values = [r[field] for r in results if isinstance(r.get(field), (int, float))]
    return statistics.median(values) if values else None


def ratio(aio, other, unit):
    """> 1 means aio is better."""
    if aio is None or other is None:
        return None
    better, worse = (aio, other) if higher_is_better(unit) else (other, aio)
    if worse == 0:
        return float('inf') if better > 0 else 1.0
    return better / worse


def fmt(v):
    if v is None:
        return 'n/a'
    a = abs(v)
    if a >= 1e6:
        return f'{v / 1e6:.2f}M'
    if a >= 1e4:
        return f'{v / 1e3:.0f}k'
    if a >= 100:
        return f'{v:.0f}'
    if a == 0:
        return '0'
    return f'{v:.3g}'


def fmt_ratio(r):
    if r is None:
        return 'n/a'
    if r == float('inf'):
        return '∞'
    return f'{r:.1f}x' if r >= 10 else f'{r:.2f}x'


def runs_of(results, name, variant, rt):
    """The runs of one cell; a runtime measured without a variant (W6's baseline servers, which have one API) fills
    every variant's row."""
    return results.get((name, variant, rt)) or results.get((name, None, rt), [])


def table_rows(rows, results):
    """[{label, unit, name, variant, cells: {runtime: value}}] for the headline and the extra rows."""
    out = []
    for name, variant, runtimes in rows:
        label = f'{name} {variant}' if variant else name
        cells, unit = {}, None
        for rt in runtimes:
            rs = runs_of(results, name, variant, rt)
            if rt in PY_RUNTIMES and name in PY_HEADLINE_ELSEWHERE:
                continue
            cells[rt] = median_of(rs, 'value')  # None (n/a) when every run failed or the runtime is unavailable
            if rs and (rt in DOTNET_RUNTIMES or unit is None):
                unit = rs[0]['unit']
        out.append(dict(label=label, name=name, variant=variant, unit=unit or '?', cells=cells, field='value'))
        for field, extra_unit, py_headline in EXTRA_ROWS.get(name, []):
            cells = {}
            for rt in runtimes:
                rs = runs_of(results, name, variant, rt)
                if rt in PY_RUNTIMES:
                    if py_headline:
                        cells[rt] = median_of(rs, 'value')
                    elif median_of(rs, field) is not None:   # measured from outside, as W6's CPU time
                        cells[rt] = median_of(rs, field)
                else:
                    cells[rt] = median_of(rs, field)
            if any(v is not None for v in cells.values()):
                out.append(dict(label=f'{label} · {field}', name=name, variant=variant, unit=extra_unit, cells=cells, field=field))
    return out


def markdown_table(trows):
    columns = [(k, h) for k, h in COLUMNS if k not in OPTIONAL_COLUMNS or any(k in r['cells'] for r in trows)]
    ratio_columns = [k for k, _ in columns if k in ('asyncio', 'tp', 'st', 'c')]
    head = ['workload', 'unit'] + [h for _, h in columns] + [f'aio/{h}' for k, h in columns if k in ratio_columns]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in trows:
        c, u = r['cells'], r['unit']
        vals = [fmt(c.get(k)) if k in c else '—' for k, _ in columns]
        ratios = [fmt_ratio(ratio(c.get('aio'), c.get(k), u)) if k in c and 'aio' in c else '—' for k in ratio_columns]
        lines.append('| ' + ' | '.join([r['label'], u] + vals + ratios) + ' |')
    return '\n'.join(lines)


# ---------------------------------------------------------------- targets

def find_row(trows, name, variant=None, field='value'):
    for r in trows:
        if r['name'] == name and r['variant'] == variant and r['field'] == field:
            return r
    return None


def paired_ratios(measurements):
    """{(workload, variant, runtime): [aio's ratio to that runtime, one per round]} from the raw measurements
    ([(run id, key, result)], bench/runs.py). A run measures its rounds in order, each runtime once per round, so the
    k-th aio measurement of a cell and the k-th of another runtime in the same run saw the machine in the same state:
    their ratio does not move with the machine's speed between rounds and runs as the ratio of two medians does. A
    run whose two cells hold different counts (a failed measurement) is left out, since its rounds no longer pair."""
    cells = {}
    for run_id, (name, variant, runtime), result in measurements:
        if run_id is not None and isinstance(result.get('value'), (int, float)):
            cells.setdefault((run_id, name, variant, runtime), []).append(result)
    out = {}
    for (run_id, name, variant, runtime), others in cells.items():
        mine = cells.get((run_id, name, variant, 'aio'))
        if runtime == 'aio' or not mine or len(mine) != len(others):
            continue
        out.setdefault((name, variant, runtime), []).extend(
            ratio(a['value'], o['value'], a.get('unit', '')) for a, o in zip(mine, others))
    return out


def targets(trows, bdn_zero, paired=None):
    """[(target, measured, verdict)]: the target set for each workload, checked against the measured table. With
    `paired` (paired_ratios), a ratio target's measured column adds the median of the paired rounds; the verdict stays
    on the ratio of the medians."""
    out = []
    paired = paired or {}

    def verdict(ok):
        return 'n/a (not measured)' if ok is None else ('**met**' if ok else '**not met**')

    def check(r, other, at_least):
        if r is None:
            return None, None
        x = ratio(r['cells'].get('aio'), r['cells'].get(other), r['unit'])
        return x, (None if x is None else x >= at_least)

    def shown(r, other, x, text=None):
        """The measured column: `text` (the ratio of the medians by default), then the paired rounds' median when
        there are several rounds."""
        text = fmt_ratio(x) if text is None else text
        rounds = [v for v in paired.get((r['name'], r['variant'], other), []) if v is not None] if r is not None else []
        if x is None or len(rounds) < 2:
            return text
        return f'{text}; paired rounds {fmt_ratio(statistics.median(rounds))} (n={len(rounds)})'

    w1 = find_row(trows, 'W1')
    x, ok = check(w1, 'asyncio', 50)
    out.append(('W1 spawn ≥ 50x asyncio', shown(w1, 'asyncio', x), verdict(ok)))
    x, ok = check(w1, 'tp', 1.0)
    out.append(('W1 spawn ≥ 1.0x .NET tp', shown(w1, 'tp', x), verdict(ok)))
    for variant in ('flat', 'chained'):
        w3 = find_row(trows, 'W3', variant)
        x, ok = check(w3, 'asyncio', 40)
        out.append((f'W3 callbacks ({variant}) ≥ 40x asyncio', shown(w3, 'asyncio', x), verdict(ok)))
    allocs = [find_row(trows, 'W3', v, 'alloc_bytes_per_callsoon') for v in ('flat', 'chained')]
    allocs = [r['cells'].get('aio') for r in allocs if r is not None and r['cells'].get('aio') is not None]
    measured = ', '.join(fmt(a) for a in allocs) + ' B in W3' if allocs else 'n/a'
    ok = None if not allocs else all(a == 0 for a in allocs)
    if bdn_zero is not None:
        measured += f'; BenchmarkDotNet: {"0 B" if bdn_zero else "not 0 B"}'
        ok = bdn_zero if ok is None else (ok and bdn_zero)
    out.append(('W3 0 B allocated per CallSoon', measured, verdict(ok)))
    w4 = find_row(trows, 'W4')
    x, ok = check(w4, 'asyncio', 10)
    m = 'n/a' if w4 is None or x is None else f'{fmt(w4["cells"]["aio"])} ms vs {fmt(w4["cells"]["asyncio"])} ms ({fmt_ratio(x)})'
    out.append(('W4 overshoot ≤ 1/10 of asyncio\'s', m, verdict(ok)))
    w5 = find_row(trows, 'W5')
    v = None if w5 is None else w5['cells'].get('aio')
    out.append(('W5 ≤ 200 B/task (GC heap)', 'n/a' if v is None else f'{fmt(v)} B/task', verdict(None if v is None else v <= 200)))
    out.append(('W5 ≤ 130 B/task (GC heap)', 'n/a' if v is None else f'{fmt(v)} B/task', verdict(None if v is None else v <= 130)))

    # Composition; queues, primitives and the limiter; executors.
    for name in ('gather', 'taskgroup', 'waitfor'):
        r = find_row(trows, name)
        x, ok = check(r, 'asyncio', 20)
        out.append((f'{name} ≥ 20x asyncio', shown(r, 'asyncio', x), verdict(ok)))
    for name in ('gather', 'taskgroup'):
        r = find_row(trows, name)
        x, ok = check(r, 'tp', 1.0)
        out.append((f'{name} ≥ 1.0x plain .NET (tp)', shown(r, 'tp', x), verdict(ok)))
    w2 = find_row(trows, 'W2')
    x, ok = check(w2, 'asyncio', 20)
    out.append(('W2 ping-pong ≥ 20x asyncio', shown(w2, 'asyncio', x), verdict(ok)))
    x, ok = check(w2, 'st', 1.5)
    out.append(('W2 ping-pong ≥ 1.5x one-thread Channels', shown(w2, 'st', x), verdict(ok)))
    w7 = find_row(trows, 'W7')
    x, ok = check(w7, 'asyncio', 30)
    out.append(('W7 fan-out ≥ 30x asyncio', shown(w7, 'asyncio', x), verdict(ok)))
    x, ok = check(w7, 'tp', 1.0)
    out.append(('W7 fan-out ≥ 1.0x SemaphoreSlim on the thread pool', shown(w7, 'tp', x), verdict(ok)))
    lim = find_row(trows, 'LIMITER', field='error_pct')
    v = None if lim is None else lim['cells'].get('aio')
    out.append(('limiter: 10,000 at 1,000/s within 2% of 10 s', 'n/a' if v is None else f'{v:+.3f}%',
                verdict(None if v is None else abs(v) <= 2)))
    out += echo_targets(trows)
    x, ok = check(find_row(trows, 'exec_to_thread'), 'asyncio', 10)
    out.append(('ToThread round trips ≥ 10x asyncio', fmt_ratio(x), verdict(ok)))
    for name, what in (('exec_cpu_process', 'ProcessPoolExecutor(2)'), ('exec_cpu_thread', 'ThreadPoolExecutor(2)')):
        r = find_row(trows, name)
        v = None if r is None else r['cells'].get('aio')
        out.append((f'{what}: speed-up within 1.3x of 2 cores, i.e. ≥ 1.54x', 'n/a' if v is None else f'{v:.2f}x',
                    verdict(None if v is None else v >= 2 / 1.3)))

    # Orleans: the executor sieve on two local silos against ProcessPoolExecutor(2), both speed-ups over one core.
    orleans, pool = find_row(trows, 'exec_cpu_orleans'), find_row(trows, 'exec_cpu_process')
    o = None if orleans is None else orleans['cells'].get('aio')
    p = None if pool is None else pool['cells'].get('aio')
    x = None if o is None or not p else o / p
    out.append(('OrleansExecutor on 2 local silos ≥ 0.8x ProcessPoolExecutor(2) (sieve speed-up)',
                'n/a' if x is None else f'{o:.2f}x vs {p:.2f}x ({fmt_ratio(x)})', verdict(None if x is None else x >= 0.8)))

    # Greenlets: the CPython column holds greenlet (G1, G4) and gevent (G2, G3).
    for name, what, at_least in (('G1', 'switch round trips ≥ 2x greenlet', 2), ('G2', 'spawn + sleep(0) + join ≥ 20x gevent', 20),
                                 ('G3', 'queue ping-pong ≥ 5x gevent', 5)):
        x, ok = check(find_row(trows, name), 'asyncio', at_least)
        out.append((f'{name} {what}', fmt_ratio(x), verdict(ok)))

    # HTTP downloads: the CPython column holds aiohttp; one target line per shape of the clients (the rows' variants)
    # that was measured, the tasks shape (the cheat sheet's) when neither was.
    for name in ('H1', 'H2'):
        shapes = [v for v in ('tasks', 'workers') if find_row(trows, name, v)] or ['tasks']
        for shape in shapes:
            for other, what, at_least in (('tp', 'plain HttpClient', 0.95), ('asyncio', 'aiohttp', 1.2)):
                r = find_row(trows, name, shape)
                x, ok = check(r, other, at_least)
                m = fmt_ratio(x) if x is None else f'{fmt(r["cells"]["aio"])} vs {fmt(r["cells"][other])} MB/s ({fmt_ratio(x)})'
                out.append((f'{name} {shape}: ClientSession ≥ {at_least}x {what}', shown(r, other, x, m), verdict(ok)))
    return out


def echo_targets(trows):
    """W6: the echo servers against uvloop's and C's, and the memory an idle connection holds."""
    out = []

    def cell(name, variant, runtime, field='value'):
        r = find_row(trows, name, variant, field)
        return None if r is None else r['cells'].get(runtime)

    def against(variant, other_runtime, at_least):
        """aio's `variant` server against the other's protocol server: the verdict on requests/s, with the CPU
        time per request beside it (the load of a shared machine moves it much less than the rate)."""
        aio, other = cell('W6', variant, 'aio'), cell('W6', 'protocol', other_runtime)
        x = ratio(aio, other, 'requests/s')
        m = 'n/a' if x is None else f'{fmt(aio)} vs {fmt(other)} requests/s ({fmt_ratio(x)})'
        cpu_aio, cpu_other = (cell('W6', v, rt, 'cpu_us_per_request') for v, rt in ((variant, 'aio'), ('protocol', other_runtime)))
        if ratio(cpu_aio, cpu_other, 'µs') is not None:
            m += f'; server CPU {cpu_aio:.2f} vs {cpu_other:.2f} µs/request ({fmt_ratio(ratio(cpu_aio, cpu_other, "µs"))})'
        return m, 'n/a (not measured)' if x is None else ('**met**' if x >= at_least else '**not met**')

    out.append(('W6 Protocol ≥ 1.0x uvloop protocol', *against('protocol', 'uvloop', 1.0)))
    out.append(('W6 Protocol ≥ 0.85x C server', *against('protocol', 'c', 0.85)))
    out.append(('W6 streams ≥ 1.0x uvloop protocol', *against('streams', 'uvloop', 1.0)))
    for variant in ('protocol', 'streams'):
        aio, other = cell('W6-idle', variant, 'aio'), cell('W6-idle', variant, 'asyncio')
        x = ratio(aio, other, 'bytes')
        m = 'n/a' if x is None else f'{fmt(aio)} B vs asyncio {fmt(other)} B per connection ({fmt_ratio(x)})'
        v = 'n/a (not measured)' if x is None else ('**met**' if x >= 1.0 else '**not met**')
        out.append((f'W6 idle: memory per idle connection ({variant}) ≤ asyncio\'s', m, v))
    return out


# ---------------------------------------------------------------- the document

def all_runs(rows, results):
    """One line per cell with every run's headline value, to show the spread behind each median."""
    lines, seen = [], set()
    for name, variant, runtimes in rows:
        for rt in runtimes:
            key = (name, variant, rt) if (name, variant, rt) in results else (name, None, rt)
            rs = results.get(key, [])
            if rs and key not in seen:
                seen.add(key)
                label = f'{name} {key[1]}' if key[1] else name
                lines.append(f'- {label} / {rt}: ' + ', '.join(fmt(r['value']) for r in rs) + f' {rs[0]["unit"]}')
    return lines


def write_doc(path, doc):
    """Writes the document. doc: measure (the command that measures), redraw (the one that redraws from the saved
    results), when (the sentence on the runs), facts, trows, target_rows, bdn_table, analysis (hand-written markdown
    or None), charts ([(link, title, caption)]) and charts_note (how they are drawn), notes, runs (the every-run
    lines)."""
    lines = [
        '# Benchmarks',
        '',
        'Generated by `bench/run.py`; do not edit by hand. Rerun (measures every workload again and redraws the charts):',
        '',
        '```sh',
        doc['measure'],
        '```',
        '',
    ]
    if doc.get('redraw'):
        lines += ['Redraw this document and its charts from the saved results, without measuring:', '',
                  '```sh', doc['redraw'], '```', '']
    if doc.get('when'):
        lines += [doc['when'], '']
    lines += ['| machine | |', '|---|---|'] + [f'| {k} | {v} |' for k, v in doc['facts']] + ['']
    if doc.get('charts'):
        lines += ['## At a glance', '', doc['charts_note'], '']
        for link, title, caption in doc['charts']:
            lines += [f'![{title}]({link})', '', caption, '']
    lines += [
        '## Results',
        '',
        'Median of the runs. **Ratios are oriented so that > 1 always means Asyncio.Net is better**: for rates '
        '(units ending in `/s`) aio ÷ other, for costs (ms, bytes) other ÷ aio. `—`: the runtime has no such '
        'workload or figure; n/a: it could not be measured here.',
        '',
        markdown_table(doc['trows']),
        '',
    ]
    lines += ['## Targets by workload', '',
              'The verdict reads the ratio of the medians in the table above. Where a row has several rounds, "paired '
              'rounds" is the median of the per-round ratios instead (each Asyncio.Net measurement against the other '
              'runtime\'s in the same round of the same run): the machine\'s speed, which moves between rounds and runs by '
              'more than most differences here, cancels out of those.', '',
              '| target | measured | verdict |', '|---|---|---|']
    lines += [f'| {t} | {m} | {v} |' for t, m, v in doc['target_rows']]
    lines.append('')
    if doc.get('analysis'):
        lines += [doc['analysis'], '']
    if doc.get('bdn_table'):
        lines += ['## CallSoon allocation (BenchmarkDotNet)', '',
                  '`dotnet run -c Release --project bench/Asyncio.Bench -- --bdn --filter \'*CallSoon*\'`: one operation '
                  'is one `CallSoon(static callback, state)` with its handle discarded, plus its share of the loop '
                  'iteration that runs it (1,000 per invocation). `Allocated` `-` means 0 bytes.', '']
        lines += doc['bdn_table'] + ['']
    lines += ['## How each workload is measured', ''] + [f'- {n}' for n in doc['notes']] + ['']
    lines += ['<details><summary>Every run (headline values, in run order)</summary>', ''] + doc['runs'] + ['', '</details>', '']
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text('\n'.join(lines))


NOTES = [
    'Orleans (exec_trivial_orleans, exec_cpu_orleans): `OrleansExecutor` over a cluster of two silos hosted in the '
    'benchmark process as separate Orleans hosts on 127.0.0.1 (development clustering). exec_trivial_*: 2,000 trivial jobs '
    'one after another, calls/s (the round trip of one job); exec_cpu_orleans: the sieve of exec_cpu_process (16 chunks), '
    'speed-up over one core, against `ProcessPoolExecutor(2)` on the same machine (docs/orleans.md has the scaling model).',
    'W1 spawn: 200,000 tasks each `await sleep(0)` once and return their index, then gathered (aio `Aio.Gather`, '
    'CPython `gather`, .NET `Task.WhenAll` over `await Task.Yield()`). Warm-up at 1/10 size first. W1, W2, W7, gather, '
    'taskgroup and waitfor time their full-size pass 5 times in the process and report the median pass (.NET columns '
    'alike; one pass lasts tens of milliseconds and single passes swung 2-3x on the shared cores); CPython times one.',
    'Warm-up (.NET columns alike): the 1/10-size pass of the reference scripts is repeated for at least 300 ms '
    '(`Probe.WarmUp`), and then while a pass still makes the JIT compile 10 or more new methods (at most 5 s), because '
    'the runtime re-compiles hot methods optimized in the background only after they have run a while; a timed run of a '
    'few milliseconds after one short pass measures mostly first-tier code. CPython has no compiler to warm.',
    'JIT: with `--jit steady` (the default) every .NET run (aio, tp and st alike) sets `DOTNET_TC_CallCountingDelayMs=0`, '
    'so hot methods tier up at once instead of after the runtime\'s 100 ms start-up delay. CoreLib (which the tp and st '
    'baselines mostly run) ships precompiled, while a library starts at tier 0: with the delay, a run shorter than a '
    'second would mostly compare unoptimized code with optimized code. `--jit default` measures as shipped.',
    'W3 callbacks: 1,000,000 `CallSoon` (flat: all scheduled up front; chained: each schedules the next). .NET tp: '
    '`ThreadPool.UnsafeQueueUserWorkItem` (runs on both cores); .NET st: `SynchronizationContext.Post` on a one-thread '
    'pump. `alloc_bytes_per_callsoon`: after the timed pass, a pass of 5,000 calls and one of 10,000, the difference in bytes '
    'allocated divided by 5,000 (what each further call allocates, without what a pass costs whatever its size: its '
    'future and the await of it). What remains is one 40-byte object per 1,024 calls (the block of cancellation bits '
    'behind the `Handle`s `CallSoon` returns, which a handle keeps alive after its position is reused). Both passes fit '
    'the ready queue\'s 16 kept blocks of 1,024 entries; the timed flat pass grows the queue to 1,000,000 entries, '
    'taking 32 KB blocks from the process\'s weakly held stash of drained ones (what the warm-up passes left there) '
    'and allocating the rest, as CPython\'s deque and the pump\'s queue grow too.',
    'W4 timers: 200,000 `CallLater` with seeded random delays in [0, 1 s]; the figure is the time from the start of '
    'scheduling until the last timer fired, minus the largest delay (so it includes the scheduling time). aio fails the '
    'run if a timer fires after one with a later deadline; CPython counts such timers (uvloop\'s have a resolution of 1 ms). .NET: `await Task.Delay` per timer (~1 ms granularity, '
    'unordered). .NET runs a warm-up at 1/10 size and 1/10 delay first; CPython none.',
    'W5 memory: 100,000 tasks suspended on one never-completed future. .NET headline: managed heap growth per task '
    '(`GC.GetTotalMemory(true)`, the task array included); `warm_heap_bytes_per_task`: the same measured a second time '
    'in the same process, once the loop\'s queues have already grown; RSS per task is the figure CPython reports.',
    '.NET tp: plain `async Task` with continuations on the thread pool (both cores); .NET st: the same code under a '
    'single-thread `SynchronizationContext` pump (bench/Asyncio.Bench/SingleThreadPump.cs), the shape of an event loop.',
    'The machine is shared: absolute figures move with its load (see the load average above); ratios from the same run '
    'are steadier than absolute numbers.',
    'Why the task-spawning workloads are bound by the collector (W1, taskgroup, gather; measured with perf): every task '
    'stays alive until it is gathered, so each young collection copies them all; our own code is about a quarter of '
    'the samples, the runtime (mostly the GC) and the kernel (fresh pages) the rest. A task is one object, as an '
    '`async Task` is: the coroutine\'s state machine box is the task (`Coroutine<T>` is a struct around it; see '
    'docs/architecture.md, "Tasks and coroutines"), 88 B for one awaiting Sleep(0), where it was a 64 B task plus '
    'a 64 B coroutine. The ready queue\'s blocks live on the pinned object heap, so that a burst\'s queued steps are '
    'not copied by each young collection.',
    'W3 flat schedules 1,000,000 callbacks before running any: the ready queue takes 32 MB of fresh blocks (32 bytes '
    'per entry), whose zeroing and page faults show in the profile; CPython\'s deque pays the same kind of cost with '
    'pointers of 8 bytes. W3 chained (steady state, no growth) meets 40x.',
    'W6 echo: each server runs alone as its own process (bound to 127.0.0.1) and is driven by bench/c/echo_client '
    '(built by the runner with `cc -O2`): 10 connections in one epoll thread, each sending 1 KiB and waiting for the '
    'whole echo before the next request; 1 s of warm-up, then requests/s over 5 s (median of 5 runs; `--quick`: 3 '
    'runs of 2 s). Rows: `protocol` is a Protocol whose DataReceived writes the data back (aio `CreateServer`, '
    'asyncio/uvloop `loop.create_server`); `streams` is a handler echoing `read(65536)` then `drain()` (aio '
    '`Aio.StartServer`, asyncio/uvloop `asyncio.start_server`). The baselines have one API and fill both rows: '
    '.NET tp is a plain .NET `Socket` server (accept loop, one task per connection awaiting `ReceiveAsync`/`SendAsync` '
    'on the thread pool), C is bench/c/echo_server (one thread, level-triggered epoll, `read`/`write`). The .NET '
    'servers: `Asyncio.Bench echo-server --server aio-protocol|aio-streams|socket`; the CPython ones: bench/py/echo.py.',
    'W6 `cpu_us_per_request`: the server process\'s CPU time (user and kernel, all its threads, from '
    '/proc/PID/task/*/schedstat) over the measured seconds, divided by the requests served: a cost that the load of '
    'a shared machine moves much less than requests/s, which also waits for the scheduler to run server and client '
    'in turn. Most of it is the kernel\'s loopback TCP (a `recv` and a `send` per request on every server).',
    'W6-idle: the server\'s resident set (VmRSS of /proc/PID/status) is read after 100 warm-up connections have each '
    'echoed one byte, then again after 10,000 more connections have each echoed one byte (so every one was accepted and '
    'its reader or handler is waiting) and 0.5 s of rest; the growth divided by 10,000 is the figure (median of 3 runs). '
    'The runner raises its descriptor limit to the hard limit (children inherit it; echo.py raises its own).',
    'G1-G4 greenlets (bench/py/greenlets.py): the CPython column holds Debian\'s greenlet (G1, G4) and gevent (G2, G3) '
    'on /usr/bin/python3, not asyncio; no uvloop column. G1: the main greenlet and an echo greenlet switch a value back '
    'and forth 1,000,000 times (`await g.Switch(v)` / `g.switch(v)`). G2: 100,000 `Gevent.Spawn` / `gevent.spawn`, each '
    'sleeping 0 once, then `JoinAll` / `joinall`. G3: two spawned greenlets pass a value back and forth 100,000 times '
    'over two queues (`AsyncQueue` / `gevent.queue.Queue`). G4: 100,000 greenlets started and suspended in their '
    'bodies; .NET headline: managed heap growth per greenlet, RSS per greenlet beside it, the figure CPython reports '
    '(its tracemalloc count is in the raw results).',
    'H1/H2 HTTP downloads (bench/http_runner.py): H1 = 1,000 files of 100 KB, H2 = 20 files of 50 MB, all from ONE '
    'local server started once per run as its own process (`Asyncio.Bench http-server`: Kestrel on 127.0.0.1, '
    '`GET /SIZE` answered with SIZE bytes generated once into memory, with a Content-Length), downloaded at '
    'concurrency 32 by three clients, each client run its own process. Two rows per workload, one per shape of the '
    'asyncio-style clients (aio and aiohttp): `tasks` = one task per file, all created up front, each waiting on a '
    'semaphore of 32, gathered (the cheat sheet\'s aiohttp shape: the session plus the cost of 1,000 waiting tasks); '
    '`workers` = exactly 32 worker tasks (aio: `TaskGroup.Run` + `tg.CreateTask`; aiohttp: `gather`), each taking the '
    'next file from a shared counter until none is left, no semaphore (the shape of the HttpClient client, a pool of '
    '32, so the row isolates what the session itself costs). Raw results from before the shapes were rows are the '
    'tasks shape. aio = Asyncio.Http\'s `ClientSession` '
    '(`Limit = 32`) inside `Aio.Run`, in either shape, each body read with '
    '`Content.ReadIntoAsync` into a 64 KiB pooled buffer and discarded, as the HttpClient client reads its stream (the '
    'benchmark\'s `--read chunks` reads with aiohttp\'s shape instead, `Content.IterChunkedAsync(65536)`, a new array '
    'per chunk); .NET tp = a plain `HttpClient` (`MaxConnectionsPerServer = 32`) '
    'with `Parallel.ForEachAsync` (`MaxDegreeOfParallelism = 32`), `ResponseHeadersRead`, the stream read into a '
    '64 KiB pooled buffer, the same pool of 32 in both rows (measured in each, so that a row\'s ratios come from the '
    'same rounds); the CPython column = Debian\'s aiohttp on /usr/bin/python3 (bench/py/http.py): '
    '`ClientSession` in either shape (tasks: `asyncio.Semaphore(32)` + `gather`), '
    '`resp.content.iter_chunked(65536)`. Each client first '
    'warms up on a session of its own, untimed: aiohttp downloads 64 files of at most 1 MiB; the .NET clients repeat '
    'rounds of the timed pass itself (H1: 1,000 files of 100 KB; H2: 64 files of 1 MiB) until three rounds in a row '
    'make the JIT compile fewer than 10 new methods, for at most 30 s, because otherwise the background compiler runs '
    'through the short timed run and takes about a third of the client\'s CPU (`jit_methods_timed` in the raw results '
    'counts what it still compiles during the timed passes: code run once per pass, such as a new session\'s). Runs '
    'before 2026-11-29 06:32 UTC warmed up with rounds of 64 files that one quiet round ended; on H1 every body read '
    'of such a round completed at once, so the reads that wait were first compiled during the timed passes. Then five timed passes, each on a '
    'new session (one pass of H1 lasts about a tenth of a second, and single passes swung by half from run to run). '
    'Headline: MB/s (10^6 bytes) of the median pass. `cpu_s_per_gb`: the client process\'s CPU time (user + '
    'system, all threads: `Process.TotalProcessorTime`, `resource.getrusage`) over the five passes, per 10^9 bytes; '
    '`alloc_bytes_per_file`: the .NET client\'s managed allocations over the passes (`GC.GetTotalAllocatedBytes`) '
    'per file. The '
    'server shares the two cores with the client, so MB/s also pays for the server; the CPU row is the client\'s own cost.',
    'CPython column: Debian\'s /usr/bin/python3 (3.11.2, built with PGO/LTO), the interpreter uvloop runs on. It is '
    'faster than the pyenv build the targets\' CPython figures were first measured with (W3: 551k vs 441k callbacks/s), so '
    'ratios here are conservative; `--python python3` uses the pyenv interpreter instead.',
]
