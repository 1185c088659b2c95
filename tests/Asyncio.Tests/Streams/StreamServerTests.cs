using System.Diagnostics;
using System.Text;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Streams;

/// <summary>
/// Many stream connections on one loop, and descriptors given back once server and clients are closed. Counted
/// over the whole process, so run alone (in the collection of whole-process measurements).
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class StreamServerTests
{
    [LinuxFact]
    public void TwoHundredClients_FiftyLinesEach_NothingLostOrReordered()
    {
        const int clients = 200, lines = 50;
        var watch = Stopwatch.StartNew();
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(StreamConnectionTests.EchoLines, "127.0.0.1", 0, backlog: 512);
            var tasks = new List<AioTask>();
            for (int c = 0; c < clients; c++) tasks.Add(Aio.CreateTask(Client(PortOf(server), c)));
            await Aio.Gather(tasks.ToArray());
        }, limitSeconds: 60);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");

        static async Coroutine Client(int port, int id)
        {
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", port);
            for (int m = 0; m < lines; m++)
            {
                writer.Write(Encoding.ASCII.GetBytes($"client {id} line {m}\n"));
                if (m % 10 == 9) await writer.DrainAsync();   // interleave the clients
            }
            writer.WriteEof();
            for (int m = 0; m < lines; m++)
                Assert.Equal($"client {id} line {m}\n", Encoding.ASCII.GetString(await reader.ReadLineAsync()));
            Assert.Empty(await reader.ReadLineAsync());   // the server closed after the last echo
            writer.Close();
            await writer.WaitClosedAsync();
        }
    }

    [LinuxFact]
    public void ClosingServerAndClients_GivesTheDescriptorsBack()
    {
        const int connections = 20;
        Run(async loop => await Exchange(loop, 1));   // the runtime opens descriptors of its own on first use
        int before = SelectorLoops.OpenDescriptors();
        Run(async loop =>
        {
            await Exchange(loop, connections);
            Assert.True(SelectorLoops.OpenDescriptors() - before <= 5, $"{before} before, {SelectorLoops.OpenDescriptors()} after closing");
        });
        Assert.True(SelectorLoops.OpenDescriptors() - before < 5, $"{before} before, {SelectorLoops.OpenDescriptors()} after the loop closed");

        static async Coroutine Exchange(EventLoop loop, int count)
        {
            Server server = await Aio.StartServer(StreamConnectionTests.EchoLines, "127.0.0.1", 0);
            var writers = new List<AsyncStreamWriter>();
            for (int i = 0; i < count; i++)
            {
                var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
                writer.Write("ping\n"u8);
                Assert.Equal("ping\n"u8.ToArray(), await reader.ReadLineAsync());
                writers.Add(writer);
            }
            server.Close();
            foreach (AsyncStreamWriter writer in writers) writer.Close();
            foreach (AsyncStreamWriter writer in writers) await writer.WaitClosedAsync();
            await server.WaitClosedAsync();   // the server's sides were lost too
        }
    }
}
