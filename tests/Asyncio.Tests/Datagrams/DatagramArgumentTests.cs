using System.Net;
using System.Net.Sockets;
using static Asyncio.Tests.Datagrams.DatagramFixtures;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Datagrams;

/// <summary><c>CreateDatagramEndpoint</c> and <c>SendTo</c> refuse what cannot work, at the call where they can.</summary>
public class DatagramArgumentTests
{
    private static readonly IPEndPoint s_any4 = new(IPAddress.Loopback, 0);

    [Fact]
    public void CreateDatagramEndpoint_RefusesBadArguments_AtTheCall() =>
        Run(async loop =>
        {
            await Task.CompletedTask;
            Assert.Throws<ArgumentNullException>(() => loop.CreateDatagramEndpoint<RecordingDatagramProtocol>(null!, localAddr: s_any4));
            var noFamily = Assert.Throws<ArgumentException>(() => loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol()));
            Assert.Contains("unexpected address family", noFamily.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() =>
                loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), family: AddressFamily.Unix));
            Assert.Throws<ArgumentException>(() =>
                loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), localAddr: new UnixDomainSocketEndPoint("/tmp/x")));
            Assert.Throws<ArgumentException>(() =>
                loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), localAddr: s_any4, family: AddressFamily.InterNetworkV6));
        });

    [Fact]
    public void CreateDatagramEndpoint_OnALoopWithoutAnIoSelector_ThrowsNotSupported()
    {
        var loop = Selectors.SelectorLoops.New("wait");
        try
        {
            Assert.Throws<NotSupportedException>(() => loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), localAddr: s_any4));
        }
        finally
        {
            loop.Close();
        }
    }

    [Fact]
    public void AddressesWithNoFamilyInCommon_AreRefused_AtTheAwait() =>
        Run(async loop =>
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
                await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(),
                    localAddr: s_any4, remoteAddr: new IPEndPoint(IPAddress.IPv6Loopback, 9)));
            Assert.Contains("can not get address information", error.Message);
        });

    [Fact]
    public void SendTo_WithoutAnAddress_OnAnEndpointWithoutRemote_ThrowsArgumentNull() =>
        Run(async loop =>
        {
            var (transport, protocol) = await loop.CreateDatagramEndpoint(() => new RecordingDatagramProtocol(), localAddr: s_any4);
            Assert.Throws<ArgumentNullException>(() => transport.SendTo("x"u8));
            Assert.Throws<ArgumentException>(() => transport.SendTo("x"u8, new DnsEndPoint("localhost", 9)));
            Assert.Throws<ArgumentException>(() => transport.SendTo("x"u8, new IPEndPoint(IPAddress.IPv6Loopback, 9)));
            Assert.Empty(protocol.Errors);
            transport.Close();
        });

    [Fact]
    public void AFactoryThatThrows_FailsTheAwait_AndLeavesNoSocket() =>
        Run(async loop =>
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
                await loop.CreateDatagramEndpoint<RecordingDatagramProtocol>(() => throw new InvalidOperationException("no"), localAddr: s_any4));
            Assert.Equal("no", error.Message);
        });
}
