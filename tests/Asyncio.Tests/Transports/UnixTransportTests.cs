using Asyncio.Tests.Executors;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Transports;

/// <summary>The same transport over Unix-domain sockets (asyncio: <c>create_unix_server</c>, <c>create_unix_connection</c>).</summary>
public class UnixTransportTests
{
    [LinuxFact]
    public void Echo_OverAUnixDomainSocket_ComesBack_AndCloseRemovesTheSocketFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"aio-{Guid.NewGuid():N}"[..16]);
        Run(async loop =>
        {
            Server server = await loop.CreateUnixServer(() => new EchoProtocol(), path);
            Assert.True(File.Exists(path));
            var (transport, client) = await loop.CreateUnixConnection(() => new RecordingProtocol(), path);
            transport.Write("over unix"u8);
            transport.WriteEof();
            await Until(() => client.IsLost);
            Assert.Equal("over unix", client.Text);
            Assert.Equal(["made", "data", "eof", "lost"], client.Events);
            server.Close();
            await server.WaitClosedAsync();
            Assert.False(File.Exists(path));
        });
    }
}
