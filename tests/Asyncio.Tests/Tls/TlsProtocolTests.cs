using System.Net.Sockets;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;
using Asyncio.Tests.Transports;
using static Asyncio.Tests.Tls.TlsFixtures;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Tls;

/// <summary>
/// The TLS layer alone, over a fake plain transport that records what it is asked (asyncio's
/// <c>test_sslproto.SslProtoHandshakeTests</c> and <c>BaseStartTLS</c> unit cases).
/// </summary>
public class TlsProtocolTests
{
    /// <summary>A plain transport that keeps what is written and remembers being closed or aborted.</summary>
    private sealed class FakeTransport : ITransport
    {
        public List<byte> Written { get; } = [];

        public bool Aborted { get; private set; }

        public bool Closed { get; private set; }

        public bool Paused { get; private set; }

        public void Write(ReadOnlySpan<byte> data) => Written.AddRange(data.ToArray());

        public void WriteEof() => throw new NotSupportedException();

        public bool CanWriteEof => true;

        public void Close() => Closed = true;

        public void Abort() => Aborted = true;

        public bool IsClosing => Closed || Aborted;

        public void PauseReading() => Paused = true;

        public void ResumeReading() => Paused = false;

        public bool IsReading => !Paused;

        public void SetWriteBufferLimits(int? high = null, int? low = null)
        {
        }

        public int GetWriteBufferSize() => 0;

        public object? GetExtraInfo(string name, object? defaultValue = null) => name == "peername" ? "fake peer" : defaultValue;
    }

    private static TlsProtocol NewClient(EventLoop loop, Future<bool> waiter, Protocol? app = null, double? timeout = null) =>
        new(loop, app ?? new RecordingProtocol(), TlsSide.ForClient(TrustingClient(), null, timeout), waiter, callConnectionMade: true);

    [LinuxFact]
    public void ConnectionMade_StartsTheHandshake_ByWritingTheClientHello() =>
        Run(async loop =>
        {
            var plain = new FakeTransport();
            TlsProtocol tls = NewClient(loop, loop.CreateFuture<bool>());
            tls.ConnectionMade(plain);
            Assert.NotEmpty(plain.Written);
            Assert.Equal(0x16, plain.Written[0]);   // a TLS handshake record
            tls.AppTransport.Abort();
            Assert.True(plain.Aborted);
            await Task.CompletedTask;
        });

    [LinuxFact]
    public void HandshakeTimeout_AbortsThePlainTransport_AndFailsTheWaiter()
    {
        EventLoop loop = SelectorLoops.NewEpoll(virtualTime: true);
        SelectorLoops.Run(loop, async () =>
        {
            var plain = new FakeTransport();
            Future<bool> waiter = loop.CreateFuture<bool>();
            TlsProtocol tls = NewClient(loop, waiter, timeout: 10);
            tls.ConnectionMade(plain);
            await Aio.Sleep(9.9);
            Assert.False(plain.Aborted);
            await Aio.Sleep(0.2);
            Assert.True(plain.Aborted);
            Assert.IsType<TimeoutException>(waiter.Exception());
        });
    }

    [LinuxFact]
    public void ConnectionLost_DuringTheHandshake_FailsTheWaiter_WithConnectionReset() =>
        Run(async loop =>
        {
            var app = new RecordingProtocol();
            Future<bool> waiter = loop.CreateFuture<bool>();
            TlsProtocol tls = NewClient(loop, waiter, app);
            tls.ConnectionMade(new FakeTransport());
            tls.ConnectionLost(null);
            var error = Assert.IsType<SocketException>(waiter.Exception());
            Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
            Assert.Empty(app.Events);   // the application never had the connection
            Assert.True(tls.PlainLost.IsDone);
            await Aio.Sleep(0.01);
        });

    [LinuxFact]
    public void EofReceived_DuringTheHandshake_FailsTheWaiter_AndAbortsThePlainTransport() =>
        Run(async loop =>
        {
            var plain = new FakeTransport();
            Future<bool> waiter = loop.CreateFuture<bool>();
            TlsProtocol tls = NewClient(loop, waiter);
            tls.ConnectionMade(plain);
            Assert.True(tls.EofReceived());   // the plain transport stays open for close_notify
            await Until(() => waiter.IsDone);
            Assert.True(waiter.Exception() is System.Security.Authentication.AuthenticationException or IOException, $"got {waiter.Exception()}");
            Assert.True(plain.Aborted);
        });

    [LinuxFact]
    public void CloseDuringTheHandshake_Aborts() =>
        Run(async loop =>
        {
            var plain = new FakeTransport();
            TlsProtocol tls = NewClient(loop, loop.CreateFuture<bool>());
            tls.ConnectionMade(plain);
            tls.AppTransport.Close();
            Assert.True(plain.Aborted);
            Assert.True(tls.AppTransport.IsClosing);
            await Task.CompletedTask;
        });

    [LinuxFact]
    public void DataReceived_AfterTheConnectionIsLost_IsIgnored() =>
        Run(async loop =>
        {
            Future<bool> waiter = loop.CreateFuture<bool>();
            TlsProtocol tls = NewClient(loop, waiter);
            tls.ConnectionMade(new FakeTransport());
            tls.ConnectionLost(null);
            tls.DataReceived([0x16, 0x03, 0x03, 0x00, 0x01, 0x00]);
            tls.AppTransport.Write([1, 2, 3]);
            Assert.Equal(0, tls.AppTransport.GetWriteBufferSize());
            _ = waiter.Exception();
            await Task.CompletedTask;
        });

    [LinuxFact]
    public void AbortBeforeThePlainConnectionIsMade_AbortsItWhenItComes() =>
        Run(async loop =>
        {
            var plain = new FakeTransport();
            TlsProtocol tls = NewClient(loop, loop.CreateFuture<bool>());
            tls.AppTransport.Abort();
            tls.ConnectionMade(plain);
            Assert.True(plain.Aborted);
            Assert.Empty(plain.Written);
            await Task.CompletedTask;
        });

    [LinuxFact]
    public void GetExtraInfo_PassesUnknownKeysToThePlainTransport() =>
        Run(async loop =>
        {
            var plain = new FakeTransport();
            TlsProtocol tls = NewClient(loop, loop.CreateFuture<bool>());
            tls.ConnectionMade(plain);
            Assert.Equal("fake peer", tls.AppTransport.GetExtraInfo("peername"));
            Assert.Null(tls.AppTransport.GetExtraInfo("peercert"));   // no handshake yet
            Assert.Equal(7, tls.AppTransport.GetExtraInfo("nothing", 7));
            tls.AppTransport.Abort();
            await Task.CompletedTask;
        });
}
