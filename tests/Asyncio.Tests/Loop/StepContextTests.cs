namespace Asyncio.Tests.Loop;

/// <summary>
/// Each task step runs in its task's own context (asyncio: a task runs in the contextvars copy it was created with),
/// whatever ran on the loop thread before it: another task's step, a callback that changed the context, an exception
/// handler. The loop skips restoring a context the thread is known to hold; these are the cases where it must not.
/// </summary>
public sealed class StepContextTests : IDisposable
{
    private static readonly AsyncLocal<string?> Name = new();

    private readonly EventLoop _loop = Aio.NewEventLoop();

    public void Dispose() => _loop.Close();

    [Fact]
    public void TwoTasksTakingTurns_EachStepSeesItsOwnTasksValue()
    {
        var seen = new List<string>();

        async Coroutine Worker(List<string> log)
        {
            for (int i = 0; i < 3; i++)
            {
                log.Add(Name.Value ?? "none");
                await Aio.Sleep(0);
            }
        }

        async Coroutine Main()
        {
            Name.Value = "a";
            AioTask a = Aio.CreateTask(Worker(seen));
            Name.Value = "b";
            AioTask b = Aio.CreateTask(Worker(seen));
            Name.Value = null;
            await a;
            await b;
        }

        _loop.RunUntilComplete(Main());

        Assert.Equal(["a", "b", "a", "b", "a", "b"], seen);
    }

    [Fact]
    public void ADoneCallbackThatSetsAValue_BetweenTwoTasksSteps_DoesNotLeakIntoTheSecond()
    {
        // A done-callback's entry has no context of its own: it restores the one it was added in.
        Assert.Null(SeenBySecondTask(() =>
        {
            Future<int> signal = _loop.CreateFuture<int>();
            signal.AddDoneCallback(_ => Name.Value = "leaked");
            signal.SetResult(1);
        }));
    }

    [Fact]
    public void ACallSoonCallbackThatSetsAValue_BetweenTwoTasksSteps_DoesNotLeakIntoTheSecond() =>
        Assert.Null(SeenBySecondTask(() => _loop.CallSoon(() => Name.Value = "leaked")));

    [Fact]
    public void AnExceptionHandlerThatSetsAValue_BetweenTwoTasksSteps_DoesNotLeakIntoTheSecond()
    {
        _loop.SetExceptionHandler((_, _) => Name.Value = "handler");
        Assert.Null(SeenBySecondTask(() => _loop.CallSoon(() => throw new InvalidOperationException("boom"))));
    }

    [Fact]
    public void AValueSetInAStep_IsSeenByTheTasksNextStep_AndNotByAnotherTask()
    {
        string? ownNext = null;
        string? other = "unset";

        async Coroutine Setter()
        {
            Name.Value = "set";
            await Aio.Sleep(0);
            ownNext = Name.Value;
        }

        async Coroutine Reader()
        {
            await Aio.Sleep(0);
            other = Name.Value;
        }

        async Coroutine Main()
        {
            AioTask setter = Aio.CreateTask(Setter());
            AioTask reader = Aio.CreateTask(Reader());
            await setter;
            await reader;
        }

        _loop.RunUntilComplete(Main());

        Assert.Equal("set", ownNext);
        Assert.Null(other);
    }

    /// <summary>
    /// Creates task A, schedules what <paramref name="between"/> schedules, then creates task B, all in one context:
    /// one iteration then runs A's first step, that entry, and B's first step. Returns the value B's step saw.
    /// </summary>
    private string? SeenBySecondTask(Action between)
    {
        string? seenByB = "unset";

        static async Coroutine Step(Action<string?> see)
        {
            see(Name.Value);
            await Aio.Sleep(0);
        }

        async Coroutine Main()
        {
            AioTask a = Aio.CreateTask(Step(_ => { }));
            between();
            AioTask b = Aio.CreateTask(Step(value => seenByB = value));
            await a;
            await b;
        }

        _loop.RunUntilComplete(Main());
        return seenByB;
    }
}
