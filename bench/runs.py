"""The raw results of benchmark runs, and reading them back, so that the table, the document and the charts can be
redrawn without measuring again (bench/run.py --from-raw, bench/charts.py --from-raw).

A raw file has one JSON object per line. bench/run.py writes one per run (bench/results/raw/START.jsonl) and, with
--write DOC, copies what the document shows to DOC's folder (docs/benchmarks/runs.jsonl):

  {"run": {...}}      the run's first line: id (its start, %Y%m%dT%H%M%S), started (ISO 8601), command, facts (the
                      machine table: [[name, value]]), load_start, rows ([[workload, variant, [runtimes]]]: every cell
                      the run tried, so that a cell whose every run failed still reads n/a), note (optional free text)
  {"row": [workload, variant, runtime], "result": {...}}
                      one measurement: the JSON line the workload printed
  {"run_end": {...}}  the run's last line: id, ended, load_end, bdn ({"table": [lines], "zero": bool}: BenchmarkDotNet's
                      CallSoon table and whether it allocated 0 B), when it ran

Several files (or one file holding several runs) combine: their rows are merged in order and every measurement
counts. Files written before run records existed hold only measurements, or the bare JSON line of each run.
"""
import datetime
import json
from pathlib import Path

RUN_ID_FORMAT = '%Y%m%dT%H%M%S'
# Workloads that gained variants after raw results were saved without one: the variant those results measured.
# H1/H2 were one row, the shape its clients then had (one task per file under a semaphore), before the workers shape
# became a row of its own (bench/http_runner.py).
LEGACY_VARIANTS = {'H1': 'tasks', 'H2': 'tasks'}


def _variant(name, variant):
    return LEGACY_VARIANTS.get(name) if variant is None else variant


class Runs:
    """What one or several raw files hold: the runs' records and every measurement in file order."""

    def __init__(self):
        self.runs = []          # the "run" records, each updated with its "run_end"
        self.measurements = []  # [(run id or None, key, result)], key = (workload, variant, runtime)

    @property
    def ids(self):
        return [r['id'] for r in self.runs]

    def rows(self):
        """The rows the runs tried, merged in order ([(workload, variant, [runtimes])]); None when a file predates
        run records, so the rows must come from the workloads registered now."""
        if not self.runs or any('rows' not in r for r in self.runs):
            return None
        merged = {}
        for run in self.runs:
            for name, variant, runtimes in run['rows']:
                known = merged.setdefault((name, _variant(name, variant)), [])
                known += [rt for rt in runtimes if rt not in known]
        return [(name, variant, runtimes) for (name, variant), runtimes in merged.items()]

    def measured_rows(self):
        """The rows the measurements fill, in the order first measured: for files without run records."""
        merged = {}
        for _, (name, variant, runtime), _ in self.measurements:
            known = merged.setdefault((name, variant), [])
            if runtime not in known:
                known.append(runtime)
        return [(name, variant, runtimes) for (name, variant), runtimes in merged.items()]

    def results(self, rows):
        """{(workload, variant, runtime): [results]} for the cells of `rows`; a measurement without a variant (W6's
        baseline servers, which have one API) stays variant-less, and report.runs_of fills every variant's row with it."""
        known = {(n, v, rt) for n, v, rts in rows for rt in rts} | {(n, None, rt) for n, _, rts in rows for rt in rts}
        results = {}
        for _, key, result in self.measurements:
            if key not in known:
                key = (key[0], None, key[2])
            if key in known:
                results.setdefault(key, []).append(result)
        return results

    def bdn(self):
        """(BenchmarkDotNet's table lines, True if it allocated 0 B) of the last run that ran it, else (None, None)."""
        for run in reversed(self.runs):
            if run.get('bdn'):
                return run['bdn']['table'], run['bdn']['zero']
        return None, None

    def facts(self):
        """The machine table of the first run that recorded one, else None."""
        return next(([tuple(f) for f in r['facts']] for r in self.runs if r.get('facts')), None)

    def command(self):
        """The measuring command of the first run (the one that measured most in a combined file), else None."""
        return self.runs[0].get('command') if self.runs else None


def load(paths):
    """Reads raw files in order into one Runs."""
    runs = Runs()
    by_id = {}
    for path in paths:
        current = None
        for line in Path(path).read_text().splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if 'run' in record:
                run = dict(record['run'])
                by_id[run['id']] = run
                runs.runs.append(run)
                current = run['id']
            elif 'run_end' in record:
                by_id.setdefault(record['run_end']['id'], {}).update(record['run_end'])
            elif 'row' in record:
                name, variant, runtime = record['row']
                runs.measurements.append((current, (name, _variant(name, variant), runtime), record['result']))
            else:  # the first format: the bare JSON line of the run
                runtime = {'asyncio': 'asyncio', 'asyncio+uvloop': 'uvloop'}.get(record['runtime'], record['runtime'])
                runs.measurements.append((current, (record['w'], _variant(record['w'], record.get('variant')), runtime), record))
    return runs


def start_record(started, command, facts, load_start, rows):
    return {'run': {'id': f'{started:{RUN_ID_FORMAT}}', 'started': started.isoformat(timespec='seconds'),
                    'command': command, 'facts': [list(f) for f in facts], 'load_start': load_start,
                    'rows': [[n, v, list(rts)] for n, v, rts in rows]}}


def end_record(started, load_end, bdn_table, bdn_zero):
    end = {'id': f'{started:{RUN_ID_FORMAT}}',
           'ended': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'), 'load_end': load_end}
    if bdn_table:
        end['bdn'] = {'table': bdn_table, 'zero': bdn_zero}
    return {'run_end': end}


# ---------------------------------------------------------------- what the document says about the runs

def _time(iso):
    return datetime.datetime.fromisoformat(iso)


def _load(run):
    start, end = run.get('load_start'), run.get('load_end')
    if start is None and end is None:
        return 'load not recorded'
    return f'load average {start or "?"} at the start, {end or "?"} at the end'


def describe(runs, results):
    """The sentence under the rerun commands: when the results were measured, under what load, by which runs."""
    if not runs.runs:
        return None
    if len(runs.runs) == 1:
        run = runs.runs[0]
        details = '; '.join(x for x in (_load(run), run.get('note')) if x)
        return f'Run on {_time(run["started"]):%Y-%m-%d %H:%M} UTC ({details}).'
    table_workloads = sorted({k[0] for k in results})
    parts = []
    for run in runs.runs:
        names = sorted({key[0] for run_id, key, _ in runs.measurements if run_id == run['id']} & set(table_workloads))
        others = [n for n in table_workloads if n not in names]
        what = 'every workload' if not others else (
            f'every workload but {", ".join(others)}' if len(names) > len(others) else ', '.join(names))
        details = '; '.join(x for x in (f'`{run["command"]}`' if run.get('command') else None, _load(run), run.get('note')) if x)
        parts.append(f'{what} from {_time(run["started"]):%H:%M} UTC ({details})')
    days = sorted({f'{_time(r["started"]):%Y-%m-%d}' for r in runs.runs})
    count = {2: 'two', 3: 'three', 4: 'four'}.get(len(runs.runs), str(len(runs.runs)))
    return (f'Measured on {", ".join(days)} in {count} runs whose raw results are combined here: '
            + ', '.join(parts) + '.')


ANALYSIS_RUNS = '<!-- runs: '


def analysis(paths, ids):
    """The hand-written analysis of these runs: the first analysis.md among `paths` whose first line
    `<!-- runs: ID ID -->` names exactly these runs (an analysis of other runs is left out, with a note).
    Returns (text without that line, or None; a note for the log, or None)."""
    for path in paths:
        if not path.is_file():
            continue
        first, _, text = path.read_text().partition('\n')
        if not first.startswith(ANALYSIS_RUNS):
            return None, f'{path}: no "{ANALYSIS_RUNS}ID ... -->" first line: left out'
        named = first[len(ANALYSIS_RUNS):].removesuffix('-->').split()
        if sorted(named) != sorted(ids):
            return None, f'{path} is about runs {" ".join(named)}, not these ({" ".join(ids)}): left out'
        return text.strip('\n'), None
    return None, None
