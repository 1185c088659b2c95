using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Transports;

/// <summary>
/// Transports and servers give their descriptors back: when closed, and when their loop closes with them still
/// open. Counted over the whole process, so run alone (in the collection of whole-process measurements).
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class TransportDescriptorTests
{
    private const int Connections = 20;

    [LinuxFact]
    public void ClosingServerAndTransports_GivesTheDescriptorsBack()
    {
        WarmUp();
        int before = SelectorLoops.OpenDescriptors();
        int during = 0;
        Run(async loop =>
        {
            var serverSides = new List<RecordingProtocol>();
            Server server = await Listen(loop, () => { var p = new RecordingProtocol(); serverSides.Add(p); return p; });
            var clients = new List<(ITransport Transport, RecordingProtocol Protocol)>();
            for (int i = 0; i < Connections; i++) clients.Add(await ConnectTo(loop, server, () => new RecordingProtocol()));
            during = SelectorLoops.OpenDescriptors();
            server.Close();
            foreach (var (transport, _) in clients) transport.Close();
            await server.WaitClosedAsync();
            await Until(() => clients.All(c => c.Protocol.IsLost) && serverSides.All(p => p.IsLost));
            // Still inside the loop: only the loop's own selector descriptors remain.
            Assert.True(SelectorLoops.OpenDescriptors() - before < 10, $"{before} before, {SelectorLoops.OpenDescriptors()} after closing");
        });
        Assert.True(during - before >= 2 * Connections, $"{before} before, {during} while connected");
        Assert.True(SelectorLoops.OpenDescriptors() - before < 10);
    }

    [LinuxFact]
    public void ClosingTheLoop_ClosesItsOpenTransportsAndServers()
    {
        WarmUp();
        int before = SelectorLoops.OpenDescriptors();
        Run(async loop =>
        {
            Server server = await Listen(loop, () => new RecordingProtocol());
            for (int i = 0; i < Connections; i++) await ConnectTo(loop, server, () => new RecordingProtocol());
            await Aio.Sleep(0.01);   // let the server accept them all
        });
        // A leak would be 41 (two ends of each connection and the listener); the margin is for the runtime's threads.
        SelectorLoops.AssertFewNewDescriptors(before, 10);
    }

    /// <summary>The runtime opens descriptors of its own on first use of sockets and loops.</summary>
    private static void WarmUp() =>
        Run(async loop =>
        {
            await using Server server = await Listen(loop, () => new EchoProtocol());
            var (transport, client) = await ConnectTo(loop, server, () => new RecordingProtocol());
            transport.Close();
            await Until(() => client.IsLost);
        });
}
