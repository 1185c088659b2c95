using System.Runtime.CompilerServices;

namespace Asyncio.Tests.Futures;

/// <summary>
/// The builder reads loop-native awaiters in place; an awaiter whose layout does not match what it claims to be
/// fails at its first use instead of being misread.
/// </summary>
public class AwaiterLayoutTests
{
    [Fact]
    public void LoopNativeAwaiters_PassTheLayoutCheck()
    {
        Assert.Equal(AwaiterKinds.Future, AwaiterKind<FutureAwaiter>.Value);
        Assert.Equal(AwaiterKinds.Future, AwaiterKind<FutureAwaiter<int>>.Value);
        Assert.Equal(AwaiterKinds.Future, AwaiterKind<AioTaskAwaiter<string>>.Value);
        Assert.Equal(AwaiterKinds.Coroutine, AwaiterKind<CoroutineAwaiter>.Value);
        Assert.Equal(AwaiterKinds.Coroutine, AwaiterKind<CoroutineAwaiter<int>>.Value);
        Assert.Equal(AwaiterKinds.Sleep, AwaiterKind<SleepAwaiter>.Value);
        Assert.Equal(AwaiterKinds.Primitive, AwaiterKind<LoopAwaiter>.Value);
        Assert.Equal(AwaiterKinds.Primitive, AwaiterKind<LoopAwaiter<int>>.Value);
        Assert.Equal(AwaiterKinds.Primitive, AwaiterKind<LoopAwaiter<Releaser>>.Value);
        Assert.Equal(AwaiterKinds.Foreign, AwaiterKind<TaskAwaiter>.Value);
    }

    [Fact]
    public void AnAwaiterMarkedAsAFuturesThatHoldsMore_FailsAtItsFirstUse()
    {
        var error = Assert.Throws<TypeInitializationException>(() => AwaiterKind<WideFutureAwaiter>.Value);
        Assert.IsType<InvalidProgramException>(error.InnerException);
    }

    /// <summary>Claims to hold only a future, but carries a second field.</summary>
    private readonly struct WideFutureAwaiter : IFutureAwaiter
    {
        public readonly Future? Future;
        public readonly long Extra;

        public WideFutureAwaiter(Future future, long extra)
        {
            Future = future;
            Extra = extra;
        }
    }
}
