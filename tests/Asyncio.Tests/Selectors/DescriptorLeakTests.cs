using System.Runtime.CompilerServices;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Selectors;

/// <summary>
/// The loop gives back the descriptors its selector opened. Counted over the whole process, so run alone (in the
/// collection of whole-process measurements).
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class DescriptorLeakTests
{
    [LinuxFact]
    public void Close_ReleasesTheSelectorsDescriptors_NoLeakOverAHundredLoops()
    {
        // Warm up first: the runtime opens descriptors of its own on first use (the libc binding, timers).
        SelectorLoops.NewEpoll().Close();
        int before = SelectorLoops.OpenDescriptors();
        for (int i = 0; i < 100; i++)
        {
            var loop = SelectorLoops.NewEpoll();
            loop.CallSoon(loop.Stop);
            loop.RunForever();
            loop.Close();
        }
        // A leak would be 200 (two per loop); the margin is for the runtime's own threads.
        SelectorLoops.AssertFewNewDescriptors(before, 20);
    }


    [LinuxFact]
    public void ALoopNeverClosed_GivesItsDescriptorsBack_WhenCollected()
    {
        SelectorLoops.NewEpoll().Close();
        int before = SelectorLoops.OpenDescriptors();
        AbandonLoops(100);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        SelectorLoops.AssertFewNewDescriptors(before, 20);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AbandonLoops(int count)
    {
        for (int i = 0; i < count; i++) SelectorLoops.NewEpoll();
    }

    [LinuxFact]
    public void AnIteration_WithADescriptorReadyEveryTime_AllocatesNothing()
    {
        var (a, b) = Sockets.SocketPairs.Connected();
        using (a)
        using (b)
        {
            a.Send("x"u8);
            var loop = SelectorLoops.NewEpoll();
            int calls = 0;
            // The byte is never read: the reader is dispatched in every iteration.
            loop.AddReader(b, () => calls++);
            const int Iterations = 10_000;
            int left = Iterations;
            Action step = null!;
            step = () =>
            {
                if (--left > 0) loop.CallSoon(step);
                else loop.Stop();
            };
            loop.CallSoon(step);
            loop.RunForever();
            left = Iterations;
            loop.CallSoon(step);
            long before = GC.GetAllocatedBytesForCurrentThread();
            loop.RunForever();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            loop.Close();

            Assert.True(calls >= Iterations, $"{calls} reader calls");
            // Well under a byte per iteration: what is left is the run's own setup, not the iterations.
            Assert.True(allocated < Iterations, $"{allocated} bytes over {Iterations} iterations");
        }
    }
}
