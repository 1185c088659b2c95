using System.Diagnostics;
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

    /// <summary>The loop the sleep belongs to.</summary>
    internal EventLoop Loop => _loop;

    /// <summary>Seconds to sleep.</summary>
    internal double Delay => _delay;

    internal SleepAwaitable(EventLoop loop, double delay)
    {
        _loop = loop;
        _delay = delay;
    }

    /// <summary>The awaiter.</summary>
    public SleepAwaiter GetAwaiter() => new(_delay <= 0 ? _loop : this);

    /// <summary>
    /// The sleep as a coroutine, so that it is accepted wherever one is (<c>Aio.CreateTask(Aio.Sleep(2))</c>).
    /// <para>asyncio: <c>asyncio.sleep()</c> is a coroutine.</para>
    /// </summary>
    public static implicit operator Coroutine(SleepAwaitable sleep) => OperationCoroutines.Sleep(sleep);
}

/// <summary>Awaiter of <see cref="SleepAwaitable"/>.</summary>
/// <remarks>
/// One reference wide, because the compiler stores the awaiter in every coroutine that awaits a sleep: the loop
/// itself for a bare yield (<c>Sleep(0)</c>, the common case, which allocates nothing), or the boxed
/// <see cref="SleepAwaitable"/> for a real delay, whose timer allocates anyway.
/// </remarks>
public readonly struct SleepAwaiter : ICriticalNotifyCompletion
{
    /// <summary>The <see cref="EventLoop"/> of a bare yield, or the boxed <see cref="SleepAwaitable"/> of a delay.</summary>
    private readonly object _target;

    internal SleepAwaiter(object target)
    {
        Debug.Assert(target is EventLoop or SleepAwaitable);
        _target = target;
    }

    /// <summary>The loop the sleep belongs to.</summary>
    private EventLoop Loop => _target as EventLoop ?? ((SleepAwaitable)_target).Loop;

    /// <summary>Seconds to sleep; zero or less is a bare yield.</summary>
    internal double Delay => _target is SleepAwaitable sleep ? sleep.Delay : 0;

    /// <summary>Always false: even <c>Sleep(0)</c> yields once.</summary>
    public bool IsCompleted => false;

    /// <summary>Returns, or throws the cancellation delivered while sleeping.</summary>
    public void GetResult() => Loop.ThrowIfResumeInterrupted();

    /// <summary>For foreign async methods: runs <paramref name="continuation"/> on the loop after the delay.</summary>
    public void OnCompleted(Action continuation)
    {
        if (Delay <= 0) Loop.CallSoon(continuation);
        else Loop.CallLater(Delay, continuation);
    }

    /// <summary>For foreign async methods: runs <paramref name="continuation"/> on the loop after the delay.</summary>
    public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);
}

