namespace Asyncio.Tests;

/// <summary>Helpers shared by the tests: loops on virtual time and running one iteration.</summary>
internal static class TestLoop
{
    /// <summary>A new loop on virtual time, not installed.</summary>
    public static EventLoop NewVirtual() => Aio.NewEventLoop(virtualTime: true);

    /// <summary>Runs exactly one iteration of <paramref name="loop"/> (asyncio's <c>test_utils.run_once</c>).</summary>
    public static void RunOnce(this EventLoop loop)
    {
        loop.Stop();
        loop.RunForever();
    }

    /// <summary>Runs <paramref name="main"/> to completion on a fresh virtual-time loop and closes it.</summary>
    public static T RunVirtual<T>(Func<Coroutine<T>> main)
    {
        var loop = NewVirtual();
        try
        {
            return loop.RunUntilComplete(main());
        }
        finally
        {
            loop.Close();
        }
    }

    /// <summary>Runs <paramref name="main"/> to completion on a fresh virtual-time loop and closes it.</summary>
    public static void RunVirtual(Func<Coroutine> main)
    {
        var loop = NewVirtual();
        try
        {
            loop.RunUntilComplete(main());
        }
        finally
        {
            loop.Close();
        }
    }
}
