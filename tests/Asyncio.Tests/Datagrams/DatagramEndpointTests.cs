using System.Net;
using System.Net.Sockets;
using Asyncio.Tests.Executors;
using static Asyncio.Tests.Datagrams.DatagramFixtures;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Datagrams;

/// <summary>
/// UDP endpoints (asyncio's <c>create_datagram_endpoint</c>) over loopback: echo, endpoints with a remote
/// address, errors reported to the protocol, and the callbacks' order.
/// </summary>
public class DatagramEndpointTests
{
    public static TheoryData<string> Families() => new() { "ipv4", "ipv6" };

    [Theory]
    [MemberData(nameof(Families))]
    public void Echo_TheServerSendsEachDatagramBackToItsSender(string family) =>
        Run(async loop =>
        {
            var (server, _) = await loop.CreateDatagramEndpoint(() => new EchoDatagramProtocol(), localAddr: new IPEndPoint(Loopback(family), 0));
            var (client, protocol) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), remoteAddr: LocalOf(server));
            client.SendTo("hello"u8);
            client.SendTo("world"u8);
            await Until(() => protocol.Received.Count == 2);
            Assert.Equal(["hello", "world"], protocol.Received.Select(r => System.Text.Encoding.ASCII.GetString(r.Data)));
            Assert.Equal(LocalOf(server), protocol.Received[0].From);
            client.Close();
            server.Close();
        });

    [Fact]
    public void AnEndpointWithoutRemote_SendsToTheAddressOfEachDatagram() =>
        Run(async loop =>
        {
            var (server, received) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), localAddr: new IPEndPoint(IPAddress.Loopback, 0));
            var (client, _) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), family: AddressFamily.InterNetwork);
            Assert.Null(client.GetExtraInfo("peername"));
            client.SendTo("one"u8, LocalOf(server));
            await Until(() => received.Received.Count == 1);
            Assert.Equal("one"u8.ToArray(), received.Received[0].Data);
            Assert.Equal(LocalOf(client).Port, ((IPEndPoint)received.Received[0].From).Port);
            client.Close();
            server.Close();
        });

    [Fact]
    public void AnEndpointWithARemote_IsConnected_AndSendsThereWithOrWithoutTheAddress() =>
        Run(async loop =>
        {
            var (server, received) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), localAddr: new IPEndPoint(IPAddress.Loopback, 0));
            var (client, _) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), remoteAddr: LocalOf(server));
            Assert.Equal(LocalOf(server), client.GetExtraInfo("peername"));
            Assert.IsType<Socket>(client.GetExtraInfo("socket"));
            Assert.Equal("default", client.GetExtraInfo("nothing", "default"));
            client.SendTo("a"u8);
            client.SendTo("b"u8, LocalOf(server));
            await Until(() => received.Received.Count == 2);
            var other = new IPEndPoint(IPAddress.Loopback, LocalOf(server).Port == 9 ? 10 : 9);
            var error = Assert.Throws<ArgumentException>(() => client.SendTo("c"u8, other));
            Assert.Contains("Invalid address", error.Message);
            client.Close();
            server.Close();
        });

    [Fact]
    public void AnEmptyDatagram_IsSentAndReceived() =>
        Run(async loop =>
        {
            var (server, received) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), localAddr: new IPEndPoint(IPAddress.Loopback, 0));
            var (client, _) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), remoteAddr: LocalOf(server));
            client.SendTo(ReadOnlySpan<byte>.Empty);
            await Until(() => received.Received.Count == 1);
            Assert.Empty(received.Received[0].Data);
            client.Close();
            server.Close();
        });

    [LinuxFact]
    public void AConnectedEndpoint_ToAPortNobodyListensOn_HearsConnectionRefused_AndStaysOpen() =>
        Run(async loop =>
        {
            var (client, protocol) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), remoteAddr: ClosedPort(IPAddress.Loopback));
            client.SendTo("anyone?"u8);
            await Until(() => protocol.Errors.Count >= 1);
            var error = Assert.IsType<SocketException>(protocol.Errors[0]);
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
            Assert.False(client.IsClosing);
            Assert.Equal(0, protocol.LostCalls);
            client.Close();
            await Until(() => protocol.LostCalls == 1);
            Assert.Null(protocol.LostWith);
        });

    [Fact]
    public void Callbacks_ComeInOrder_MadeBeforeTheAwaitReturns_LostOnceInALaterIteration() =>
        Run(async loop =>
        {
            var (client, protocol) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), localAddr: new IPEndPoint(IPAddress.Loopback, 0));
            Assert.Equal(["made"], protocol.Events);
            Assert.Same(client, protocol.Transport);
            client.Close();
            Assert.True(client.IsClosing);
            Assert.Equal(0, protocol.LostCalls);
            client.Close();
            client.Abort();
            await Aio.Sleep(0.01);
            Assert.Equal(["made", "lost"], protocol.Events);
            client.SendTo("dropped"u8, new IPEndPoint(IPAddress.Loopback, 9));
            Assert.Equal(1, protocol.LostCalls);
        });

    [Fact]
    public void ADatagramReceivedThatThrows_IsReported_AndTheEndpointGoesOn() =>
        Run(async loop =>
        {
            var contexts = new List<ExceptionContext>();
            loop.SetExceptionHandler((_, context) => contexts.Add(context));
            var (server, received) = await loop.CreateDatagramEndpoint(() => new ThrowOnFirstDatagram(), localAddr: new IPEndPoint(IPAddress.Loopback, 0));
            var (client, _) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), remoteAddr: LocalOf(server));
            client.SendTo("first"u8);
            client.SendTo("second"u8);
            await Until(() => received.Received.Count == 2);
            Assert.IsType<InvalidOperationException>(Assert.Single(contexts).Exception);
            Assert.False(server.IsClosing);
            client.Close();
            server.Close();
        });

    private sealed class ThrowOnFirstDatagram : RecordingDatagramProtocol
    {
        public override void DatagramReceived(ReadOnlySpan<byte> data, EndPoint address)
        {
            base.DatagramReceived(data, address);
            if (Received.Count == 1) throw new InvalidOperationException("boom");
        }
    }

    [LinuxFact]
    public void ReusePort_LetsTwoEndpointsBindOnePort() =>
        Run(async loop =>
        {
            var (first, _) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), localAddr: new IPEndPoint(IPAddress.Loopback, 0), reusePort: true);
            var (second, _) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), localAddr: LocalOf(first), reusePort: true);
            Assert.Equal(LocalOf(first), LocalOf(second));
            var bound = await Assert.ThrowsAsync<SocketException>(async () =>
                await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), localAddr: LocalOf(first)));
            Assert.Equal(SocketError.AddressAlreadyInUse, bound.SocketErrorCode);
            first.Close();
            second.Close();
        });

    [Fact]
    public void ANamedAddress_IsResolved() =>
        Run(async loop =>
        {
            var (server, received) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(),
                localAddr: new DnsEndPoint("localhost", 0), family: AddressFamily.InterNetwork);
            Assert.Equal(IPAddress.Loopback, LocalOf(server).Address);
            var (client, _) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(),
                remoteAddr: new DnsEndPoint("localhost", LocalOf(server).Port, AddressFamily.InterNetwork));
            client.SendTo("x"u8);
            await Until(() => received.Received.Count == 1);
            client.Close();
            server.Close();
        });
}

/// <summary>UDP on a virtual clock: endpoints hold no clock, and what is ready runs before the clock jumps.</summary>
public class DatagramVirtualTimeTests
{
    /// <summary>Completes a future with each datagram it receives.</summary>
    private sealed class AwaitingProtocol : RecordingDatagramProtocol
    {
        public Future<bool>? Next;

        public override void DatagramReceived(ReadOnlySpan<byte> data, EndPoint address)
        {
            base.DatagramReceived(data, address);
            Next?.TrySetResult(true);
        }
    }

    [Fact]
    public void AnEchoOnTheLoop_UnderAVirtualTimeout_NeverTimesOut_AndAnHourOfSleepTakesNoRealTime()
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        Selectors.SelectorLoops.Run(Selectors.SelectorLoops.NewEpoll(virtualTime: true), async () =>
        {
            var loop = Aio.GetRunningLoop();
            var (server, _) = await loop.CreateDatagramEndpoint(() => new EchoDatagramProtocol(), localAddr: new IPEndPoint(IPAddress.Loopback, 0));
            var (client, protocol) = await loop.CreateDatagramEndpoint(() => new AwaitingProtocol(), remoteAddr: LocalOf(server));
            await Aio.Timeout(1, async () =>
            {
                for (int i = 0; i < 200; i++)
                {
                    protocol.Next = loop.CreateFuture<bool>();
                    client.SendTo("ping"u8);
                    await protocol.Next;
                }
            });
            Assert.Equal(200, protocol.Received.Count);
            await Aio.Sleep(3600);
            client.Close();
            server.Close();
        });
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"took {stopwatch.Elapsed}");
    }
}
