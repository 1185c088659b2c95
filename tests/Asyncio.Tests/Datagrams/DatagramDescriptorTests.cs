using System.Net;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;
using static Asyncio.Tests.Datagrams.DatagramFixtures;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Datagrams;

/// <summary>Datagram endpoints give their descriptors back. Counted over the whole process, so run alone.</summary>
[Collection(nameof(MemoryMeasurements))]
public class DatagramDescriptorTests
{
    [LinuxFact]
    public void ClosingEndpoints_GivesTheDescriptorsBack() => AssertDescriptorsComeBack(close: true);

    [LinuxFact]
    public void ClosingTheLoop_ClosesItsOpenEndpoints() => AssertDescriptorsComeBack(close: false);

    /// <summary>Fifty exchanges on a loop, their endpoints closed by hand or by the loop's close, leave the count where it was.</summary>
    private static void AssertDescriptorsComeBack(bool close)
    {
        // Warm up first: the runtime opens descriptors of its own on first use.
        Run(async loop => await Exchange(loop, 1, close));
        int before = SelectorLoops.OpenDescriptors();
        Run(async loop => await Exchange(loop, 50, close));
        // A leak would be 100 (two endpoints per exchange); the margin is for the runtime's own threads.
        SelectorLoops.AssertFewNewDescriptors(before, 20);
    }

    /// <summary>Makes <paramref name="count"/> client-server pairs, echoes one datagram on each, and closes them or not.</summary>
    private static async Coroutine Exchange(EventLoop loop, int count, bool close)
    {
        var endpoints = new List<IDatagramTransport>();
        for (int i = 0; i < count; i++)
        {
            var (server, _) = await loop.CreateDatagramEndpoint(() => new EchoDatagramProtocol(), localAddr: new IPEndPoint(IPAddress.Loopback, 0));
            var (client, protocol) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), remoteAddr: LocalOf(server));
            client.SendTo("ping"u8);
            await Until(() => protocol.Received.Count == 1);
            endpoints.Add(server);
            endpoints.Add(client);
        }
        if (!close) return;
        foreach (IDatagramTransport endpoint in endpoints) endpoint.Close();
        await Aio.Sleep(0.01);
    }
}
