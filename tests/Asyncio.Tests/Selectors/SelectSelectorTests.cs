using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;

namespace Asyncio.Tests.Selectors;

/// <summary>The portable selector by itself: wake-ups, timeouts, and what it can and cannot watch.</summary>
public class SelectSelectorTests
{
    [Fact]
    public void Wake_BeforeSelect_IsLatched_SoTheNextSelectReturnsAtOnce()
    {
        using var selector = new SelectSelector();
        selector.Wake();
        var stopwatch = Stopwatch.StartNew();
        selector.Select(TimeSpan.FromSeconds(30));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"waited {stopwatch.Elapsed}");
    }

    [Fact]
    public void Wake_IsConsumed_ByTheSelectItEnds()
    {
        using var selector = new SelectSelector();
        selector.Wake();
        selector.Wake();
        Assert.Equal(0, selector.Select(TimeSpan.FromSeconds(30)).Length);
        var stopwatch = Stopwatch.StartNew();
        selector.Select(TimeSpan.FromMilliseconds(30));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(25), $"returned after {stopwatch.Elapsed}");
    }

    [Fact]
    public void Wake_FromAnotherThread_EndsABlockedSelect()
    {
        using var selector = new SelectSelector();
        var thread = new Thread(() =>
        {
            Thread.Sleep(50);
            selector.Wake();
        });
        var stopwatch = Stopwatch.StartNew();
        thread.Start();
        selector.Select(Timeout.InfiniteTimeSpan);
        thread.Join();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"woke after {stopwatch.Elapsed}");
    }

    [Fact]
    public void Select_WithATimeout_WaitsAtLeastThatLong_RoundingUp()
    {
        using var selector = new SelectSelector();
        var stopwatch = Stopwatch.StartNew();
        selector.Select(TimeSpan.FromMilliseconds(1.5));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(1.5), $"returned after {stopwatch.Elapsed}");
    }

    [Fact]
    public void Wake_AfterDispose_DoesNothing()
    {
        var selector = new SelectSelector();
        selector.Dispose();
        selector.Wake();
        selector.Dispose();
    }

    [Fact]
    public void AWatchedSocket_IsReportedReady_LevelTriggered_UntilDrained()
    {
        var (a, b) = Sockets.SocketPairs.Connected();
        using (a)
        using (b)
        using (var selector = new SelectSelector())
        {
            int fd = (int)b.Handle;
            selector.WatchSocket(b, fd, IoEvents.None, IoEvents.Read);
            Assert.Equal(0, selector.Select(TimeSpan.Zero).Length);
            a.Send("x"u8);
            Assert.Equal([new ReadyEvent(fd, IoEvents.Read)], selector.Select(TimeSpan.FromSeconds(10)).ToArray());
            Assert.Equal([new ReadyEvent(fd, IoEvents.Read)], selector.Select(TimeSpan.Zero).ToArray());
            b.Receive(new byte[1]);
            Assert.Equal(0, selector.Select(TimeSpan.Zero).Length);
        }
    }

    [Fact]
    public void ReaderAndWriter_OfOneSocket_AreReportedAsOneEvent()
    {
        var (a, b) = Sockets.SocketPairs.Connected();
        using (a)
        using (b)
        using (var selector = new SelectSelector())
        {
            int fd = (int)b.Handle;
            selector.WatchSocket(b, fd, IoEvents.None, IoEvents.Read);
            selector.Watch(fd, IoEvents.Read, IoEvents.Read | IoEvents.Write);
            a.Send("x"u8);
            Assert.Equal([new ReadyEvent(fd, IoEvents.Read | IoEvents.Write)], selector.Select(TimeSpan.FromSeconds(10)).ToArray());
        }
    }

    [Fact]
    public void ASocketDisposedWhileWatched_IsForgotten_NotAnError()
    {
        var (a, b) = Sockets.SocketPairs.Connected();
        using (a)
        using (var selector = new SelectSelector())
        {
            int fd = (int)b.Handle;
            selector.WatchSocket(b, fd, IoEvents.None, IoEvents.Read);
            b.Dispose();
            Assert.Equal(0, selector.Select(TimeSpan.Zero).Length);
            selector.Watch(fd, IoEvents.Read, IoEvents.None);
        }
    }

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
