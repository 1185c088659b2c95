namespace Asyncio.Orleans;

/// <summary>
/// A job of an <see cref="OrleansExecutor"/> whose silo was lost (stopped, killed, cut off) before it replied: the job
/// may or may not have run. The executor keeps serving on the other silos. A job marked
/// <see cref="IdempotentJobAttribute"/> is sent again instead, and fails so only when its retries are used up.
/// <para>asyncio: <c>concurrent.futures.process.BrokenProcessPool</c> for one job (the pool itself is not broken).</para>
/// </summary>
public sealed class SiloLostException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="job">The job's method, as <c>Type.Method</c>.</param>
    /// <param name="silo">The lost silo: its name and endpoint.</param>
    /// <param name="attempts">How many times the job was sent.</param>
    /// <param name="reason">What showed the silo was lost.</param>
    /// <param name="cause">The cluster's error, if it reported one.</param>
    public SiloLostException(string job, string silo, int attempts, string reason, Exception? cause)
        : base($"The job {job} was lost with silo {silo} after {attempts} attempt(s): {reason}", cause)
    {
        Job = job;
        Silo = silo;
        Attempts = attempts;
    }

    /// <summary>The job's method, as <c>Type.Method</c>.</summary>
    public string Job { get; }

    /// <summary>The lost silo: its name and endpoint, e.g. <c>silo-2 at 127.0.0.1:11112</c>.</summary>
    public string Silo { get; }

    /// <summary>How many times the job was sent (more than one for an idempotent job).</summary>
    public int Attempts { get; }
}
