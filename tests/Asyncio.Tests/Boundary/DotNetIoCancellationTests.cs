using System.Diagnostics;
using System.IO.Pipes;
using System.Net;
using System.Net.Sockets;

namespace Asyncio.Tests.Boundary;

/// <summary>
/// Timeouts and cancellation reach awaits of .NET's I/O (HttpClient, sockets, pipes) on a real-time loop,
/// against a loopback peer that accepts and then never answers. Bounds are generous: the machine is shared.
/// </summary>
public sealed class DotNetIoCancellationTests : IDisposable
{
    /// <summary>Accepts connections and never writes a byte.</summary>
    private readonly TcpListener _silentPeer = new(IPAddress.Loopback, 0);

    /// <summary>The accepted connections, closed at the end.</summary>
    private readonly List<Socket> _accepted = new();

    public DotNetIoCancellationTests()
    {
        _silentPeer.Start();
        _ = AcceptForever();
    }

    private int Port => ((IPEndPoint)_silentPeer.LocalEndpoint).Port;

    private async Task AcceptForever()
    {
        try
        {
            while (true)
            {
                Socket socket = await _silentPeer.AcceptSocketAsync();
                lock (_accepted) _accepted.Add(socket);
            }
        }
        catch (Exception) when (!_silentPeer.Server.IsBound)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }
    }

    public void Dispose()
    {
        _silentPeer.Stop();
        lock (_accepted)
        {
            foreach (Socket socket in _accepted) socket.Dispose();
        }
    }

    [Fact]
    public void Timeout_AtAnHttpRequestGivenTheTaskToken_RaisesTimeoutException()
    {
        using var client = new HttpClient();
        var stopwatch = Stopwatch.StartNew();
        Assert.Throws<TimeoutException>(() => Aio.Run(Aio.Timeout(0.3, async () =>
            await client.GetStringAsync($"http://127.0.0.1:{Port}/", Aio.CurrentTask()!.CancellationToken))));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Timeout_AtAnHttpRequestWithoutTheToken_StillRaisesTimeoutException()
    {
        using var client = new HttpClient();
        Assert.Throws<TimeoutException>(() => Aio.Run(Aio.Timeout(0.3, async () =>
            await client.GetStringAsync($"http://127.0.0.1:{Port}/"))));
    }

    [Fact]
    public void Cancel_AtASocketReceive_EndsTheTask()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        async Coroutine<int> Receive()
        {
            await socket.ConnectAsync(IPAddress.Loopback, Port);
            return await socket.ReceiveAsync(new byte[16], SocketFlags.None);
        }
        async Coroutine<string> Main()
        {
            var receive = Aio.CreateTask(Receive());
            Aio.GetRunningLoop().CallLater(0.2, () => receive.Cancel("enough"));
            try
            {
                return $"received {await receive}";
            }
            catch (CancelledError e)
            {
                return e.Message;
            }
        }
        Assert.Equal("enough", Aio.Run(Main()));
    }

    [Fact]
    public void WaitFor_APipeRead_TimesOut()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.In);
        using var client = new AnonymousPipeClientStream(PipeDirection.Out, server.ClientSafePipeHandle);
        Assert.Throws<TimeoutException>(() => Aio.Run(Aio.WaitFor(server.ReadAsync(new byte[4]).AsTask(), 0.2)));
    }
}
