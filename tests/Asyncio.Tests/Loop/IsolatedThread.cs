namespace Asyncio.Tests.Loop;

/// <summary>
/// Runs a test body on a new named thread. The installed loop of <see cref="Aio.GetEventLoop"/> is
/// per thread, and tests that install or uninstall one must not leak that state into other tests
/// that xunit happens to run on the same worker thread.
/// </summary>
internal static class IsolatedThread
{
    /// <summary>Runs <paramref name="body"/> on a fresh thread named <paramref name="name"/> and rethrows what it threw.</summary>
    public static void Run(Action body, string name = "Worker")
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception error)
            {
                failure = error;
            }
        }) { Name = name };
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(30))) throw new TimeoutException($"thread '{name}' did not finish");
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }
}
