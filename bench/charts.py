#!/usr/bin/env python3
"""The charts of docs/benchmarks.md, drawn from saved raw results (bench/run.py --write calls this; so can you):

    python3 bench/charts.py --from-raw docs/benchmarks/runs.jsonl --out docs/benchmarks

Draws, as PNG in --out:
  ratios.png       for each workload, Asyncio.Net's ratio against CPython (asyncio, or the library the row compares
                   with) and against plain .NET on the thread pool, on a log scale around 1x
  throughput.png   one panel per workload measured as a rate: every runtime's median, runs' spread as a whisker
  w4-timers.png    W4's timer latencies per runtime (the figures each runtime reports)
and prints one JSON line per chart written: {"file", "title", "caption"} (bench/run.py puts them in the document).

matplotlib: Debian's python3-matplotlib, which installs for /usr/bin/python3 (the `python3` on PATH may be another
interpreter, e.g. pyenv's). When this interpreter cannot import it, the script installs the Debian package if it may
(root, apt-get) and runs itself again under /usr/bin/python3. Output is deterministic: the Agg backend, fixed sizes and
DPI, no metadata (no software version or date in the PNG), so the same results give the same bytes with the same
matplotlib.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runs  # noqa: E402
from report import fmt, fmt_ratio, ratio, table_rows  # noqa: E402

SYSTEM_PYTHON = '/usr/bin/python3'
DPI = 100
AIO = 'Asyncio.Net'
# One colour per runtime, the same in every chart.
COLOURS = {'aio': '#512bd4', 'asyncio': '#e0a100', 'uvloop': '#5c9e31', 'tp': '#6e6e6e', 'st': '#a9a9a9', 'c': '#2b2b2b'}
NAMES = {'aio': AIO, 'asyncio': 'CPython asyncio', 'uvloop': 'uvloop', 'tp': '.NET thread pool', 'st': '.NET one thread',
         'c': 'C (epoll)'}


def ensure_matplotlib():
    """Imports matplotlib, installing Debian's package and moving to /usr/bin/python3 when this interpreter lacks it."""
    try:
        import matplotlib  # noqa: F401
        return
    except ImportError:
        pass

    def system_has_it():
        return Path(SYSTEM_PYTHON).exists() and subprocess.run(
            [SYSTEM_PYTHON, '-c', 'import matplotlib'], capture_output=True).returncode == 0

    if not system_has_it() and shutil.which('apt-get') and hasattr(os, 'geteuid') and os.geteuid() == 0:
        print('matplotlib is missing: apt-get install -y python3-matplotlib...', file=sys.stderr, flush=True)
        subprocess.run(['sh', '-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-matplotlib || '
                        '(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-matplotlib)'],
                       stdout=sys.stderr)
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and system_has_it():
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])
    try:
        import matplotlib  # noqa: F401  (installed just now for this very interpreter)
    except ImportError:
        sys.exit('the charts need matplotlib: apt-get install -y python3-matplotlib (for /usr/bin/python3), '
                 'or pip install matplotlib for this interpreter')


# ---------------------------------------------------------------- what the charts show

def python_name(results, name, variant):
    """What the CPython column holds for a workload: asyncio, or the library it is compared with (greenlet, gevent,
    aiohttp), as the workload's script reports it."""
    for r in results.get((name, variant, 'asyncio')) or results.get((name, None, 'asyncio'), []):
        return r.get('reference') or ('asyncio' if r.get('runtime') in (None, 'asyncio') else r['runtime'])
    return 'asyncio'


def headline_rows(trows):
    """The rows the ratio chart shows: every headline with a ratio, and the figure a CPython script reports where it
    is not the .NET headline (W5's and G4's RSS)."""
    out = []
    for r in trows:
        c = r['cells']
        pairs = {k: ratio(c.get('aio'), c.get(k), r['unit']) for k in ('asyncio', 'tp')}
        pairs = {k: x if x is not None and 0 < x < math.inf else None for k, x in pairs.items()}  # no bar reaches 0 or ∞
        if r['field'] != 'value' and not r['unit'].endswith('(RSS)'):
            continue
        if any(v is not None for v in pairs.values()):
            out.append((r, pairs))
    return out


def savefig(fig, path):
    fig.savefig(path, dpi=DPI, metadata={'Software': None})


def draw_ratios(plt, trows, results, path):
    rows = headline_rows(trows)
    n = len(rows)
    fig, ax = plt.subplots(figsize=(9, 0.36 * n + 1.9))
    height = 0.38
    series = [('asyncio', 'vs CPython: asyncio (greenlet/gevent for G1-G4, aiohttp for H1/H2)', -height / 2),
              ('tp', 'vs plain .NET: async Task on the thread pool', height / 2)]
    ys = list(range(n))
    for key, legend, offset in series:
        for y, (r, pairs) in zip(ys, rows):
            x = pairs[key]
            if x is None:
                continue
            ax.barh(y + offset, x - 1 if x >= 1 else 1 - x, left=1 if x >= 1 else x, height=height,
                    color=COLOURS[key], label=legend)
            legend = None   # one legend entry per series
            ax.text(x * 1.08 if x >= 1 else x / 1.08, y + offset, fmt_ratio(x), va='center',
                    ha='left' if x >= 1 else 'right', fontsize=8.5)
    for y in ys[1::2]:   # banded rows, so that a label's bars are easy to follow across
        ax.axhspan(y - 0.5, y + 0.5, color='#f3f3f3', zorder=0)
    ax.axvline(1, color='black', linewidth=1)
    ax.set_xscale('log')
    ratios = [x for _, pairs in rows for x in pairs.values() if x is not None]
    low, high = min(ratios + [1]) / 2, max(ratios + [1]) * 4   # room for the labels beyond the bars
    ax.set_xlim(low, high)
    ticks = [10.0 ** e for e in range(math.ceil(math.log10(low)), math.floor(math.log10(high)) + 1)]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f'{t:g}x' for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(ys)
    ax.set_yticklabels([f'{r["label"]}  ({r["unit"]})' if r['field'] == 'value' else r['label'] for r, _ in rows], fontsize=9)
    ax.set_ylim(n - 0.5, -0.5)
    ax.grid(axis='x', which='major', color='#dddddd', linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel('Asyncio.Net\'s ratio, log scale: right of 1x Asyncio.Net is better (faster, or less time or memory)')
    inch = 1 / fig.get_figheight()   # the title and the legend keep their place above the plot at any height
    fig.suptitle('Asyncio.Net against CPython and plain .NET, per workload', fontsize=12, x=0.5, y=1 - 0.08 * inch)
    fig.legend(loc='upper center', bbox_to_anchor=(0.5, 1 - 0.32 * inch), ncol=1, fontsize=9, frameon=False)
    for side in ('top', 'right'):
        ax.spines[side].set_visible(False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 * inch))
    savefig(fig, path)
    plt.close(fig)
    return ('Asyncio.Net against CPython and plain .NET',
            'Each bar starts at 1x (level) and ends at Asyncio.Net\'s ratio from the table: to the right, Asyncio.Net '
            'is better, to the left worse (log scale, so 10x and 0.1x are equally far from 1x). Plain .NET is '
            '`async Task` on the thread pool, which runs on both cores while an event loop runs on one.')


def axis_number(v):
    return '0' if v == 0 else f'{v / 1e6:g}M' if v >= 1e6 else f'{v / 1e3:g}k' if v >= 1e4 else f'{v:g}'


def throughput_rows(trows):
    return [r for r in trows if r['field'] == 'value' and r['unit'].endswith('/s')]


def draw_throughput(plt, trows, results, path):
    panels = throughput_rows(trows)
    columns = 4
    lines = (len(panels) + columns - 1) // columns
    fig, axes = plt.subplots(lines, columns, figsize=(13, 2.45 * lines + 0.8), squeeze=False)
    order = ['aio', 'asyncio', 'uvloop', 'tp', 'st', 'c']
    slots = max(len([k for k in order if r['cells'].get(k) is not None]) for r in panels)
    for ax, r in zip(axes.flat, panels):
        runtimes = [k for k in order if r['cells'].get(k) is not None]
        names = [NAMES[k] if k != 'asyncio' else python_name(results, r['name'], r['variant']) for k in runtimes]
        values = [r['cells'][k] for k in runtimes]
        ys = list(range(len(runtimes)))
        ax.barh(ys, values, color=[COLOURS[k] for k in runtimes], height=0.7)
        spans = []
        for y, k in zip(ys, runtimes):
            measured = [x['value'] for x in (results.get((r['name'], r['variant'], k)) or results.get((r['name'], None, k), []))]
            spans.append((min(measured), max(measured)) if len(measured) > 1 else None)
            if spans[-1]:
                ax.plot(spans[-1], [y, y], color='black', linewidth=0.9)
        right = max([v for v in values] + [s[1] for s in spans if s])
        for y, v, span in zip(ys, values, spans):
            ax.text(max(v, span[1] if span else v) + right * 0.03, y, fmt(v), va='center', fontsize=8.5)
        ax.set_xlim(0, right * 1.35)
        ax.set_yticks(ys)
        ax.set_yticklabels(names, fontsize=8.5)
        ax.set_ylim(slots - 0.5, -0.5)   # the same bar thickness in every panel
        ax.set_title(f'{r["label"]}  ({r["unit"]})', fontsize=10, loc='left')
        ax.tick_params(axis='x', labelsize=7.5)
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: axis_number(v)))
        ax.locator_params(axis='x', nbins=4)
        for side in ('top', 'right'):
            ax.spines[side].set_visible(False)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis('off')
    fig.suptitle('Throughput per workload: median of the runs, the whisker spans them (higher is better)', fontsize=12)
    fig.tight_layout()
    savefig(fig, path)
    plt.close(fig)
    return ('Throughput per workload, every runtime',
            'One panel per workload measured as a rate, each on its own linear scale from 0; bars are the medians of '
            'the table, the black whisker spans the runs. The CPython bar is the library the row compares with '
            '(greenlet or gevent for G1-G4, aiohttp for H1/H2).')


W4_FIGURES = [('late_mean_ms', 'mean lateness of a timer'), ('late_max_ms', 'lateness of the latest timer'),
              ('value', 'last timer after the longest delay (headline)')]


def timer_label(rt, measured):
    """The runtime's name, and how many timers fired after one with a later deadline, where the runtime counts it."""
    counts = sorted(m['out_of_order'] for m in measured if isinstance(m.get('out_of_order'), int))
    if not counts:
        return NAMES[rt]
    return f'{NAMES[rt]}\n{fmt(counts[len(counts) // 2])} out of order'


def draw_timers(plt, results, rows, path):
    w4 = next((r for r in rows if r[0] == 'W4'), None)
    if w4 is None:
        return None
    runtimes = [rt for rt in ['aio', 'asyncio', 'uvloop', 'tp', 'st'] if rt in w4[2]]
    fig, ax = plt.subplots(figsize=(9, 0.95 * len(runtimes) + 1.6))
    shades = ['#9ecae1', '#4292c6', '#08306b']
    height = 0.26
    missing = []
    for i, rt in enumerate(runtimes):
        measured = results.get(('W4', None, rt), [])
        if not measured:
            missing.append(NAMES[rt])
            ax.text(0.6, i, 'no result: every run failed', va='center', fontsize=8.5, color='#777777')
        for j, (field, _) in enumerate(W4_FIGURES):
            values = [m[field] for m in measured if isinstance(m.get(field), (int, float))]
            y = i + (j - 1) * height
            if not values:
                if measured:
                    ax.text(0.6, y, 'not reported', va='center', fontsize=8, color='#777777')
                continue
            median = statistics.median(values)
            ax.barh(y, median, height=height * 0.9, color=shades[j])
            ax.plot(values, [y] * len(values), 'o', color='black', markersize=2.5)
            ax.text(max(values) * 1.15, y, f'{fmt(median)} ms', va='center', fontsize=8.5)
    ax.set_xscale('log')
    ax.set_xlim(0.5, 5000)
    ax.set_xticks([1, 10, 100, 1000])
    ax.set_xticklabels(['1 ms', '10 ms', '100 ms', '1 s'])
    ax.set_yticks(range(len(runtimes)))
    ax.set_yticklabels([timer_label(rt, results.get(('W4', None, rt), [])) for rt in runtimes], fontsize=9.5)
    ax.set_ylim(len(runtimes) - 0.5, -0.5)
    for j, (_, label) in enumerate(W4_FIGURES):
        ax.barh([0], [0], color=shades[j], label=label)
    fig.legend(loc='upper center', bbox_to_anchor=(0.5, 1 - 0.38 / fig.get_figheight()), ncol=3, fontsize=8.5, frameon=False)
    ax.grid(axis='x', color='#dddddd', linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel('milliseconds late (log scale; lower is better); bars: median, dots: each run')
    fig.suptitle('W4: 200,000 timers with random delays in [0, 1 s] — how late they fire', fontsize=12, y=0.99)
    for side in ('top', 'right'):
        ax.spines[side].set_visible(False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.6 / fig.get_figheight()))
    savefig(fig, path)
    plt.close(fig)
    caption = ('How late W4\'s timers fire (log scale): the mean and the largest lateness of a timer, from its '
               'deadline to its callback (the .NET runs report them; the CPython script reports only the headline), '
               'and the headline: the time from the start of scheduling until the last timer fired, minus the longest '
               'delay. Under each .NET runtime, how many of the 200,000 timers fired after one with a later deadline '
               '(median of the runs). The raw results keep no percentiles.')
    if missing:
        caption += f' No result: {", ".join(missing)} (every run failed).'
    return 'W4 timer latency per runtime', caption


def draw_all(paths, out):
    ensure_matplotlib()
    import matplotlib
    matplotlib.use('Agg')
    matplotlib.rcParams.update({'svg.hashsalt': 'asyncio-net', 'font.family': 'DejaVu Sans', 'font.size': 9.5})
    import matplotlib.pyplot as plt

    saved = runs.load(paths)
    rows = saved.rows() or saved.measured_rows()
    results = saved.results(rows)
    trows = table_rows(rows, results)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for file, draw in (('ratios.png', lambda p: draw_ratios(plt, trows, results, p)),
                       ('throughput.png', lambda p: draw_throughput(plt, trows, results, p)),
                       ('w4-timers.png', lambda p: draw_timers(plt, results, rows, p))):
        drawn = draw(out / file)
        if drawn:
            written.append({'file': file, 'title': drawn[0], 'caption': drawn[1]})
    return written


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--from-raw', metavar='JSONL', nargs='+', required=True, help='saved raw results (several combine)')
    p.add_argument('--out', metavar='DIR', required=True, help='folder for the PNG files')
    args = p.parse_args()
    for chart in draw_all(args.from_raw, Path(args.out)):
        print(json.dumps(chart, ensure_ascii=False))


if __name__ == '__main__':
    main()
