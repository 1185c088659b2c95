namespace Asyncio.Tests.Boundary;

/// <summary>Counts .NET task exceptions that nobody observed, as the finalizer reports them.</summary>
internal static class UnobservedTaskExceptions
{
    /// <summary>
    /// Runs <paramref name="action"/>, lets the GC collect what it left, and returns how many unobserved task
    /// exceptions matching <paramref name="match"/> were reported meanwhile.
    /// </summary>
    public static int CountDuring(Action action, Func<Exception, bool> match)
    {
        int unobserved = 0;
        EventHandler<UnobservedTaskExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception.InnerExceptions.Any(match)) Interlocked.Increment(ref unobserved);
        };
        TaskScheduler.UnobservedTaskException += handler;
        try
        {
            action();
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= handler;
        }
        return Volatile.Read(ref unobserved);
    }
}
