using System.Net.Sockets;
using System.Reflection;

namespace Asyncio.Tests.Selectors;

/// <summary>The portable selector by itself: what it can and cannot watch (its wake-ups and timeouts: <see cref="SelectorWaitTests"/>).</summary>
public class SelectSelectorTests
{
    /// <summary>Runs <paramref name="body"/> with a selector watching, for reading, <c>b</c> of a connected pair.</summary>
    private static void WithReaderOnPair(Action<SelectSelector, Socket, Socket, int> body)
    {
        var (a, b) = Sockets.SocketPairs.Connected();
        using (a)
        using (b)
        using (var selector = new SelectSelector())
        {
            int fd = (int)b.Handle;
            selector.WatchSocket(b, fd, IoEvents.None, IoEvents.Read);
            body(selector, a, b, fd);
        }
    }

    [Fact]
    public void AWatchedSocket_IsReportedReady_LevelTriggered_UntilDrained() =>
        WithReaderOnPair((selector, a, b, fd) =>
        {
            Assert.Equal(0, selector.Select(TimeSpan.Zero).Length);
            a.Send("x"u8);
            Assert.Equal([new ReadyEvent(fd, IoEvents.Read)], selector.Select(TimeSpan.FromSeconds(10)).ToArray());
            Assert.Equal([new ReadyEvent(fd, IoEvents.Read)], selector.Select(TimeSpan.Zero).ToArray());
            b.Receive(new byte[1]);
            Assert.Equal(0, selector.Select(TimeSpan.Zero).Length);
        });

    [Fact]
    public void ReaderAndWriter_OfOneSocket_AreReportedAsOneEvent() =>
        WithReaderOnPair((selector, a, _, fd) =>
        {
            selector.Watch(fd, IoEvents.Read, IoEvents.Read | IoEvents.Write);
            a.Send("x"u8);
            Assert.Equal([new ReadyEvent(fd, IoEvents.Read | IoEvents.Write)], selector.Select(TimeSpan.FromSeconds(10)).ToArray());
        });

    [Fact]
    public void ASocketDisposedWhileWatched_IsForgotten_NotAnError() =>
        WithReaderOnPair((selector, _, b, fd) =>
        {
            b.Dispose();
            Assert.Equal(0, selector.Select(TimeSpan.Zero).Length);
            selector.Watch(fd, IoEvents.Read, IoEvents.None);
        });

    [Fact]
    public void ABareDescriptor_IsRefused_WithNotSupported()
    {
        var (a, b) = Sockets.SocketPairs.Connected();
        using (a)
        using (b)
        {
            var loop = SelectorLoops.New("portable");
            try
            {
                var error = Assert.Throws<NotSupportedException>(() => loop.AddReader((int)b.Handle, () => { }));
                Assert.Contains("Socket", error.Message);
                loop.AddReader(b, () => { });
                Assert.True(loop.RemoveReader((int)b.Handle));
            }
            finally
            {
                loop.Close();
            }
        }
    }

    [Fact]
    public void Use_Portable_GivesTheIoTestsLoopsOnThePortableSelector()
    {
        using (SelectorLoops.Use("portable"))
        {
            var loop = SelectorLoops.NewEpoll();
            object? selector = typeof(EventLoop).GetField("_selector", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(loop);
            loop.Close();
            Assert.IsType<SelectSelector>(selector);
        }
    }
}
