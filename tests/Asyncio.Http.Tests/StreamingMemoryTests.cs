namespace Asyncio.Http.Tests;

/// <summary>Tests that measure the whole process's live heap, run alone so other tests' bodies do not count.</summary>
[CollectionDefinition(nameof(HttpMemoryMeasurements), DisableParallelization = true)]
public sealed class HttpMemoryMeasurements;

/// <summary>What streaming a body keeps in memory (the live heap is the process's: see <see cref="HttpMemoryMeasurements"/>).</summary>
[Collection(nameof(HttpMemoryMeasurements))]
public sealed class StreamingMemoryTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public void IterChunkedAsync_DoesNotKeepTheBodyInMemory() => HttpLoop.Run(async () =>
    {
        // 4 MiB stream through; the live heap, measured near the end, has not grown by anything like that.
        string key = TestServer.NewKey();
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "gated?key=" + key);
        server.GateFor(key).SetResult();
        long baseline = 0;
        long growth = 0;
        long total = 0;
        await foreach (byte[] chunk in resp.Content.IterChunkedAsync(65536))
        {
            total += chunk.Length;
            if (baseline == 0) baseline = GC.GetTotalMemory(forceFullCollection: true);
            else if (growth == 0 && total > 60L * 65536) growth = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        }
        Assert.Equal(65 * 65536, total);
        Assert.InRange(growth, long.MinValue, 2L * 1024 * 1024);
    });
}
