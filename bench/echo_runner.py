"""W6: the echo servers, each started as its own process and driven from outside (bench/run.py calls this).

W6 measures requests/s with bench/c/echo_client; W6-idle measures the server's resident-set growth per idle
connection. Unlike the other workloads, the figure does not come from the measured process itself, so this module
starts the server, waits for its "READY <port>" line, drives it, and kills it.
"""
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
C_DIR = ROOT / 'bench' / 'c'
C_BIN = C_DIR / 'bin'   # ignored by git, as every bin/
ECHO_PY = ROOT / 'bench' / 'py' / 'echo.py'

ECHO = 'W6'
IDLE = 'W6-idle'
VARIANTS = ['protocol', 'streams']
# Runtimes with one API only (no variant): measured once, shown on both rows.
BASELINES = ['tp', 'c']
IDLE_RUNTIMES = ['aio', 'asyncio', 'uvloop']


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def selected(workloads):
    """Which of W6 and W6-idle the --workloads selection names (None: everything); 'W6' selects both."""
    if workloads is None:
        return [ECHO, IDLE]
    names = set(workloads)
    return [n for n in (ECHO, IDLE) if n in names or ECHO in names]


def rows(names, wanted):
    """The table's rows, as run.py builds them: (name, variant, [runtimes])."""
    out = []
    for name in names:
        runtimes = ['aio', 'asyncio', 'uvloop', 'tp', 'c'] if name == ECHO else IDLE_RUNTIMES
        for variant in VARIANTS:
            out.append((name, variant, [rt for rt in runtimes if rt in wanted]))
    return out


def build_c():
    """Compiles the C client and server with `cc -O2`; returns (server, client) paths."""
    C_BIN.mkdir(parents=True, exist_ok=True)
    paths = []
    for program in ('echo_server', 'echo_client'):
        target = C_BIN / program
        source = C_DIR / f'{program}.c'
        if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
            subprocess.run(['cc', '-O2', '-Wall', '-o', str(target), str(source)], check=True)
        paths.append(target)
    return paths


def raise_fd_limit():
    """10,000 idle connections need more descriptors than the usual soft limit; children inherit the raised one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def server_command(runtime, variant, dll, args, c_server, max_seconds):
    if runtime == 'aio':
        return ['dotnet', dll, 'echo-server', '--server', f'aio-{variant}', '--max-seconds', str(max_seconds)]
    if runtime == 'tp':
        return ['dotnet', dll, 'echo-server', '--server', 'socket', '--max-seconds', str(max_seconds)]
    if runtime == 'c':
        return [str(c_server), '0', str(int(max_seconds))]
    python = args.python if runtime == 'asyncio' else args.uvloop_python
    extra = ['--uvloop'] if runtime == 'uvloop' else []
    return [python, str(ECHO_PY), 'serve', '--api', variant, '--max-seconds', str(max_seconds)] + extra


class Server:
    """A server process: started, READY read, killed on exit."""

    def __init__(self, cmd, env):
        # stderr to a file: a server reporting thousands of resets must not block on a full pipe.
        self.errors = tempfile.TemporaryFile('w+')
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self.errors, text=True)
        line = self.process.stdout.readline()   # the servers print READY within a second or two, or exit
        if not line.startswith('READY '):
            self.__exit__()
            raise ValueError(f'server did not start: {line.strip()} {self.stderr.strip()[-300:]}')
        self.port = int(line.split()[1])

    def cpu_seconds(self):
        """CPU time of all the server's threads so far (schedstat: nanoseconds on a CPU), user and kernel."""
        total = 0
        for stat in Path(f'/proc/{self.process.pid}/task').glob('*/schedstat'):
            try:
                total += int(stat.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass   # a thread that ended meanwhile
        return total / 1e9

    def rss(self):
        for line in Path(f'/proc/{self.process.pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024
        raise ValueError('no VmRSS')

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.kill()
        self.process.wait(timeout=30)
        self.process.stdout.close()
        self.errors.seek(0)
        self.stderr = self.errors.read()
        self.errors.close()


def echo_once(port, held):
    """Connects, echoes one byte, keeps the socket in `held`."""
    s = socket.create_connection(('127.0.0.1', port), timeout=30)
    held.append(s)
    s.sendall(b'x')
    if s.recv(1) != b'x':
        raise ValueError('wrong echo')


def close_all(held):
    """Resets the connections (SO_LINGER 0): no TIME_WAIT left behind by thousands of sockets."""
    for s in held:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
        s.close()
    held.clear()


def measure_echo(server, client, quick):
    duration, warmup = ('2', '0.5') if quick else ('5', '1')
    client_run = subprocess.Popen([str(client), str(server.port), '10', '1024', duration, warmup],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The server's CPU time over the measured part: a cost per request that the machine's load moves much less
    # than the rate does (the rate also waits for the scheduler to run the server and the client in turn).
    time.sleep(float(warmup))
    cpu_start = server.cpu_seconds()
    out, err = client_run.communicate(timeout=float(duration) + 60)
    cpu = server.cpu_seconds() - cpu_start
    if client_run.returncode != 0:
        raise ValueError(f'client exit {client_run.returncode}: {err.strip()[-300:]}')
    result = json.loads(out.strip().splitlines()[-1])
    result['cpu_us_per_request'] = cpu * 1e6 / max(1, result['requests'])
    return result


def measure_idle(server, connections):
    held = []
    try:
        for _ in range(100):
            echo_once(server.port, held)
        time.sleep(0.5)
        before = server.rss()
        for _ in range(connections):
            echo_once(server.port, held)
        time.sleep(0.5)
        after = server.rss()
    finally:
        close_all(held)
    return {'w': IDLE, 'connections': connections, 'rss_before': before, 'rss_after': after,
            'value': (after - before) / connections, 'unit': 'bytes/connection'}


def measure(w6_rows, dll, args, raw, env_for):
    """Round-robin over the servers, as run.py's measure; returns {(name, variant, runtime): [results]}."""
    c_server, c_client = build_c()
    hard = raise_fd_limit()
    connections = 10_000
    if hard < 2 * connections + 1000:
        log(f'note: the descriptor hard limit ({hard}) is too low for {connections} idle connections; W6-idle uses {hard // 2 - 1000}')
        connections = max(100, hard // 2 - 1000)
    cells = []
    for name, variant, runtimes in w6_rows:
        for rt in runtimes:
            if rt in args.unavailable:
                continue
            key = (name, None if name == ECHO and rt in BASELINES else variant, rt)
            if key not in cells:
                cells.append(key)
    repeats = {ECHO: args.w6_repeat, IDLE: args.w6_idle_repeat}
    total = sum(repeats[k[0]] for k in cells)
    results, done = {}, 0
    for rep in range(max(repeats.values())):
        for key in cells:
            name, variant, rt = key
            if rep >= repeats[name]:
                continue
            done += 1
            label = f'{name} {variant or ""} {rt}'.replace('  ', ' ')
            max_seconds = 120
            cmd = server_command(rt, variant or 'protocol', dll, args, c_server, max_seconds)
            env = env_for(rt)
            t0 = time.monotonic()
            try:
                with Server(cmd, env) as server:
                    result = measure_echo(server, c_client, args.quick) if name == ECHO else measure_idle(server, connections)
                result.update(w=name, runtime=rt, variant=variant)
                results.setdefault(key, []).append(result)
                raw.write(json.dumps({'row': list(key), 'result': result}) + '\n')
                unit = result['unit']
                log(f'[W6 {done}/{total}] {label}: {result["value"]:.0f} {unit} ({time.monotonic() - t0:.1f} s)')
            except (ValueError, OSError, subprocess.SubprocessError) as e:
                log(f'[W6 {done}/{total}] {label}: FAILED {e}')
    return results
