using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// What <see cref="Aio.Sleep(double)"/> returns: awaiting it suspends the task for the delay; a delay of
/// zero or less is one bare yield to the loop.
/// <para>asyncio: <c>asyncio.sleep(delay)</c>.</para>
/// </summary>
public readonly struct SleepAwaitable
{
    /// <summary>The loop the sleep belongs to.</summary>
    private readonly EventLoop _loop;

    /// <summary>Seconds to sleep.</summary>
    private readonly double _delay;

    internal SleepAwaitable(EventLoop loop, double delay)
    {
        _loop = loop;
        _delay = delay;
    }

    /// <summary>The awaiter.</summary>
    public SleepAwaiter GetAwaiter() => new(_loop, _delay);

    /// <summary>
    /// The sleep as a coroutine, so that it is accepted wherever one is (<c>Aio.CreateTask(Aio.Sleep(2))</c>).
    /// <para>asyncio: <c>asyncio.sleep()</c> is a coroutine.</para>
    /// </summary>
    public static implicit operator Coroutine(SleepAwaitable sleep) => OperationCoroutines.Sleep(sleep);
}

/// <summary>Awaiter of <see cref="SleepAwaitable"/>.</summary>
public readonly struct SleepAwaiter : ICriticalNotifyCompletion
{
    /// <summary>The loop the sleep belongs to.</summary>
    private readonly EventLoop _loop;

    /// <summary>Seconds to sleep; zero or less is a bare yield.</summary>
    internal readonly double Delay;

    internal SleepAwaiter(EventLoop loop, double delay)
    {
        _loop = loop;
        Delay = delay;
    }

    /// <summary>Always false: even <c>Sleep(0)</c> yields once.</summary>
    public bool IsCompleted => false;

    /// <summary>Returns, or throws the cancellation delivered while sleeping.</summary>
    public void GetResult() => _loop.ThrowIfResumeInterrupted();

    /// <summary>For foreign async methods: runs <paramref name="continuation"/> on the loop after the delay.</summary>
    public void OnCompleted(Action continuation)
    {
        if (Delay <= 0) _loop.CallSoon(continuation);
        else _loop.CallLater(Delay, continuation);
    }

    /// <summary>For foreign async methods: runs <paramref name="continuation"/> on the loop after the delay.</summary>
    public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);
}
