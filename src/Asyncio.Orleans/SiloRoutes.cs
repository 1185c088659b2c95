namespace Asyncio.Orleans;

/// <summary>
/// Where an <see cref="OrleansExecutor"/>'s jobs go, and the watch on the silos that run them.
/// </summary>
/// <remarks>
/// <para>A client sends every call to one grain key through one gateway, and the stateless job grain runs on that
/// gateway's silo: so each key has a silo, learnt once by asking the grain (<see cref="IAsyncioJobGrain.Silo"/>).
/// The jobs rotate over many keys, which the client spreads over the gateways.</para>
/// <para>Orleans does not fail a call whose silo died (a client's call has no target silo it could watch): it would
/// wait for the call's timeout. So while jobs run on a silo, this checks it every
/// <see cref="OrleansExecutorOptions.SiloCheckInterval"/> through one of its keys; no answer within
/// <see cref="OrleansExecutorOptions.SiloCheckTimeout"/>, or an answer from another silo (the client moved the key to a
/// live gateway), means the silo is lost: its running jobs are told through their <c>lost</c> token, and its keys are
/// learnt again.</para>
/// </remarks>
internal sealed class SiloRoutes : IDisposable
{
    /// <summary>How many grain keys the jobs rotate over: enough for the client to spread them over every gateway.</summary>
    private const int Keys = 64;

    /// <summary>How many of a silo's keys a drop tries before it counts the silo as unreachable.</summary>
    private const int MaxDropTries = 3;

    private readonly IAsyncioJobGrain[] _grains;
    private readonly TimeSpan _timeout;
    private readonly Timer _timer;

    /// <summary>The silo of each key, null until learnt; guarded by <see cref="_running"/>.</summary>
    private readonly string?[] _siloOfKey = new string?[Keys];

    /// <summary>The lost-tokens of the jobs running on each silo; also the lock of this object's state.</summary>
    private readonly Dictionary<string, HashSet<CancellationTokenSource>> _running = new();

    /// <summary>The number of jobs sent, whose remainder picks the next key.</summary>
    private int _sent;

    /// <summary>1 while a check runs: a slow check is never overlapped by the next.</summary>
    private int _checking;

    public SiloRoutes(Func<int, IAsyncioJobGrain> grain, OrleansExecutorOptions options)
    {
        _grains = Enumerable.Range(0, Keys).Select(grain).ToArray();
        _timeout = options.SiloCheckTimeout;
        _timer = new Timer(static self => ((SiloRoutes)self!).Check(), this, options.SiloCheckInterval, options.SiloCheckInterval);
    }

    /// <summary>
    /// The next key's grain and its silo (asked the first time). A key whose silo does not answer is skipped: the job
    /// has not been sent, so trying another key is safe for any job.
    /// </summary>
    /// <exception cref="TimeoutException">No silo answered for twice the check timeout (the cluster is unreachable).</exception>
    public async Task<(IAsyncioJobGrain Grain, string Silo)> Next(CancellationToken cancellationToken)
    {
        Exception? last = null;
        // Right after a silo is lost the client still lists its gateway for a moment: keys routed there fail at once.
        long deadline = Environment.TickCount64 + (long)(2 * _timeout.TotalMilliseconds);
        for (int tries = 0; tries < Keys || Environment.TickCount64 < deadline; tries++)
        {
            if (last is not null) await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            int key = (int)((uint)Interlocked.Increment(ref _sent) % Keys);
            string? silo;
            lock (_running) silo = _siloOfKey[key];
            if (silo is not null) return (_grains[key], silo);
            try
            {
                silo = await _grains[key].Silo().WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                last = error;
                continue;
            }
            lock (_running) _siloOfKey[key] = silo;
            return (_grains[key], silo);
        }
        throw new TimeoutException($"No silo of the cluster answered: {last?.Message}", last);
    }

    /// <summary>Records a job running on <paramref name="silo"/>; the token returned is cancelled if the silo is lost.</summary>
    public CancellationTokenSource Enter(string silo)
    {
        var lost = new CancellationTokenSource();
        lock (_running)
        {
            if (!_running.TryGetValue(silo, out HashSet<CancellationTokenSource>? jobs)) _running[silo] = jobs = new();
            jobs.Add(lost);
        }
        return lost;
    }

    /// <summary>The job of <paramref name="lost"/> has ended.</summary>
    public void Leave(string silo, CancellationTokenSource lost)
    {
        lock (_running)
        {
            if (_running.TryGetValue(silo, out HashSet<CancellationTokenSource>? jobs) && jobs.Remove(lost) && jobs.Count == 0) _running.Remove(silo);
        }
    }

    /// <summary>Forgets <paramref name="silo"/>'s keys and tells its running jobs it is lost.</summary>
    public void Lost(string silo)
    {
        CancellationTokenSource[] jobs;
        lock (_running)
        {
            for (int key = 0; key < Keys; key++) if (_siloOfKey[key] == silo) _siloOfKey[key] = null;
            jobs = _running.Remove(silo, out HashSet<CancellationTokenSource>? set) ? set.ToArray() : [];
        }
        foreach (CancellationTokenSource job in jobs) job.Cancel();
    }

    /// <summary>
    /// Tells <paramref name="silo"/> to drop the job <paramref name="jobId"/> sent through <paramref name="grain"/>,
    /// whose call was cancelled. Orleans' own cancellation of the call may reach another silo's activation of the
    /// stateless grain; this call goes to the job's own key, so through the gateway the job took, which is its silo.
    /// Should the key have moved to another gateway (its silo's connection dropped), the silo's other keys are tried.
    /// </summary>
    /// <remarks>
    /// Ends once the silo that holds the job (or will receive it) answered, or after <see cref="OrleansExecutorOptions.SiloCheckTimeout"/>
    /// in all: the silo is then lost or cut off, and its jobs with it (a silo only cut off may still run the job, the one
    /// case a drop cannot reach; the caller's task is cancelled either way).
    /// </remarks>
    public async Task Drop(IAsyncioJobGrain grain, string silo, Guid jobId)
    {
        List<IAsyncioJobGrain> targets = [grain];
        lock (_running)
        {
            for (int key = 0; key < Keys; key++) if (_siloOfKey[key] == silo && _grains[key] != grain) targets.Add(_grains[key]);
        }
        using var limit = new CancellationTokenSource(_timeout);
        foreach (IAsyncioJobGrain target in targets.Take(MaxDropTries))
        {
            try
            {
                JobDropReply reply = await target.Drop(jobId).WaitAsync(limit.Token).ConfigureAwait(false);
                // Held: this silo had the job (wherever the key was thought to go), and it is dropped if still queued.
                if (reply.Held || reply.Silo == silo) return;
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // No answer through this key (connection lost, silo unavailable): the next key of the silo may still reach it.
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>Asks each silo that runs jobs for its name, through one of its keys (timer thread).</summary>
    private async void Check()
    {
        if (Interlocked.Exchange(ref _checking, 1) == 1) return;
        try
        {
            List<(string Silo, int Key)> watched;
            lock (_running)
            {
                watched = _running.Keys.Select(silo => (silo, Array.IndexOf(_siloOfKey, silo))).ToList();
            }
            await Task.WhenAll(watched.Select(w => CheckOne(w.Silo, w.Key))).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    private async Task CheckOne(string silo, int key)
    {
        string? answer = null;
        if (key >= 0)
        {
            try
            {
                answer = await _grains[key].Silo().WaitAsync(_timeout).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // No answer (timeout, connection lost, silo unavailable): the silo counts as lost, as below.
            }
        }
        if (answer != silo) Lost(silo);
    }
}
