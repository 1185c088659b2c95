using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Asyncio.Tests.Loop;

/// <summary>Debug mode: slow-callback warnings and thread checks (behaviour B129).</summary>
public class DebugModeTests
{
    private static readonly Regex s_slowWarning = new(@"^Executing (.+) took \d+\.\d{3} seconds$");

    // B129: the callback really takes ~60 ms of wall time against a threshold of 25 ms, a generous margin.
    [Fact]
    public void SlowCallback_InDebugMode_IsLoggedAsAWarning()
    {
        var loop = TestLoop.NewVirtual();
        var logger = RecordingLogger.On(loop);
        loop.Debug = true;
        loop.SlowCallbackDuration = 0.025;
        loop.CallSoon(SlowCallback);
        loop.RunOnce();

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Match match = s_slowWarning.Match(entry.Message);
        Assert.True(match.Success, entry.Message);
        Assert.Equal("DebugModeTests.SlowCallback()", match.Groups[1].Value);
        loop.Close();
    }

    private static void SlowCallback() => Thread.Sleep(60);

    // B129: a slow task step is named by its task.
    [Fact]
    public void SlowTaskStep_InDebugMode_IsLoggedWithTheTask()
    {
        static async Coroutine SlowStep()
        {
            // Blocking the loop is what debug mode must report.
#pragma warning disable AIO002
            await Aio.Sleep(0);
            Thread.Sleep(60);
            await Aio.Sleep(1); // a step resumed by a timer is named by its task too
            Thread.Sleep(60);
#pragma warning restore AIO002
        }

        var loop = TestLoop.NewVirtual();
        var logger = RecordingLogger.On(loop);
        loop.Debug = true;
        loop.SlowCallbackDuration = 0.025;
        loop.RunUntilComplete(SlowStep());

        // Both slow steps are logged (a first step slowed by the JIT may be too), each named by the task.
        Assert.True(logger.Entries.Count >= 2, string.Join(Environment.NewLine, logger.Entries));
        Assert.All(logger.Entries, e => Assert.StartsWith("<Task", s_slowWarning.Match(e.Message).Groups[1].Value));
        loop.Close();
    }

    // B129
    [Fact]
    public void SlowCallback_OutsideDebugMode_IsNotLogged()
    {
        var loop = TestLoop.NewVirtual();
        var logger = RecordingLogger.On(loop);
        loop.Debug = false;
        loop.SlowCallbackDuration = 0.001;
        loop.CallSoon(() => Thread.Sleep(10));
        loop.RunOnce();

        Assert.Empty(logger.Entries);
        loop.Close();
    }

    // B129 (asyncio's _check_thread): in debug mode, loop objects used from another thread while the loop runs throw.
    [Fact]
    public void FutureTouchedFromAnotherThread_InDebugMode_Throws()
    {
        var loop = TestLoop.NewVirtual();
        loop.Debug = true;
        bool threadsafeRan = false;

        async Coroutine<string[]> Main()
        {
            Future<int> future = loop.CreateFuture<int>();
            var messages = await Task.Run(() =>
            {
                // The one bridge meant for other threads stays allowed.
                loop.CallSoonThreadsafe(() => threadsafeRan = true);
                return new[]
                {
                    Assert.Throws<InvalidOperationException>(() => future.SetResult(1)).Message,
                    Assert.Throws<InvalidOperationException>(() => future.Cancel()).Message,
                    Assert.Throws<InvalidOperationException>(() => loop.CallSoon(() => { })).Message,
                    Assert.Throws<InvalidOperationException>(() => loop.CallLater(1, () => { })).Message,
                };
            });
            Assert.False(future.IsDone);
            // The Task may finish before the await looks at it (then nothing suspends): yield once so the loop runs
            // the callback posted from the other thread, which was queued before this step.
            await Aio.Sleep(0);
            Assert.True(threadsafeRan);
            return messages;
        }

        string[] messages = loop.RunUntilComplete(Main());
        Assert.All(messages, m => Assert.Equal("Non-thread-safe operation invoked on an event loop other than the current one", m));
        loop.Close();
    }
}
