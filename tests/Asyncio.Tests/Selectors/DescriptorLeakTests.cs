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
        int after = SelectorLoops.OpenDescriptors();
        // A leak would be 200 (two per loop); the margin is for the runtime's own threads.
        Assert.True(after - before < 20, $"{before} descriptors open before, {after} after");
    }

}
