namespace Asyncio.Tests.Loop;

/// <summary>
/// <c>CallSoon</c> handles keep <c>IsCancelled</c> after their position in the ready queue has passed, and a
/// long-running loop retains nothing for the handles it was asked to cancel.
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class HandleMemoryTests
{
    private static readonly Action s_nothing = static () => { };

    [Fact]
    public void CancellingAMillionCallSoonHandles_OnARunningLoop_RetainsNoMemoryForThem()
    {
        var loop = TestLoop.NewVirtual();
        Handle first = default;
        Handle last = default;
        long before = 0;
        long after = 0;

        async Coroutine Main()
        {
            CancelThousand();
            await Aio.Sleep(0);
            before = GC.GetTotalMemory(forceFullCollection: true);
            for (int batch = 0; batch < 1000; batch++)
            {
                Handle h = CancelThousand();
                if (batch == 0) first = h;
                last = h;
                await Aio.Sleep(0);
            }
            after = GC.GetTotalMemory(forceFullCollection: true);
        }

        Handle CancelThousand()
        {
            Handle handle = default;
            for (int i = 0; i < 1000; i++)
            {
                handle = loop.CallSoon(s_nothing);
                handle.Cancel();
            }
            return handle;
        }

        loop.RunUntilComplete(Main());
        loop.Close();

        // Remembering a million cancelled ids would take tens of megabytes; what is left is a few handle blocks.
        Assert.True(after - before < 2_000_000, $"retained {after - before:N0} bytes");
        Assert.True(first.IsCancelled);
        Assert.True(last.IsCancelled);
    }

    [Fact]
    public void CallSoonHandle_CancelledAfterThousandsOfLaterCallbacksRan_ReportsCancelled()
    {
        var loop = TestLoop.NewVirtual();
        Handle early = loop.CallSoon(s_nothing);
        Handle untouched = loop.CallSoon(s_nothing);
        for (int i = 0; i < 5000; i++) loop.CallSoon(s_nothing);
        loop.RunOnce();

        early.Cancel();
        Assert.True(early.IsCancelled);
        Assert.False(untouched.IsCancelled);
        loop.Close();
    }

    [Fact]
    public void CallSoonHandle_CancelledWhileQueued_StaysCancelledWhenThousandsMoreFollow()
    {
        var loop = TestLoop.NewVirtual();
        var ran = new List<int>();
        Handle cancelled = loop.CallSoon(ran.Add, 1);
        Handle kept = loop.CallSoon(ran.Add, 2);
        cancelled.Cancel();
        loop.RunOnce();
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < 1000; i++) loop.CallSoon(s_nothing);
            loop.RunOnce();
        }

        Assert.Equal([2], ran);
        Assert.True(cancelled.IsCancelled);
        Assert.False(kept.IsCancelled);
        loop.Close();
    }

    [Fact]
    public void CallbackError_ReportsTheHandleTheCallerGot_WhichSharesItsCancellation()
    {
        var loop = TestLoop.NewVirtual();
        Handle? reported = null;
        loop.SetExceptionHandler((_, context) => reported = context.Handle);
        for (int i = 0; i < 1023; i++) loop.CallSoon(s_nothing); // the failing callback ends a block
        Handle handle = loop.CallSoon(() => throw new InvalidOperationException("boom"));
        loop.RunOnce();

        Assert.Equal(handle, reported);
        reported!.Value.Cancel();
        Assert.True(handle.IsCancelled);
        loop.Close();
    }
}
