using Asyncio.Tests.Executors;
using Asyncio.Tests.Sockets;

namespace Asyncio.Tests.Selectors;

/// <summary><c>loop.add_reader</c> / <c>add_writer</c> and their removal, on the epoll selector.</summary>
public class ReaderWriterTests
{
    [LinuxFact]
    public void AddReader_RunsTheCallback_WhenDataArrives_AndRemoveReaderStopsIt() =>
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            var calls = 0;
            loop.AddReader(b, () => calls++);
            await Aio.Sleep(0.05);
            Assert.Equal(0, calls);

            a.Send("x"u8);
            while (calls == 0) await Aio.Sleep(0.001);
            // Level-triggered: the unread byte keeps the reader running.
            int seen = calls;
            await Aio.Sleep(0.01);
            Assert.True(calls > seen);

            Assert.True(loop.RemoveReader(b));
            seen = calls;
            await Aio.Sleep(0.05);
            Assert.Equal(seen, calls);
            Assert.False(loop.RemoveReader(b));
        });

    [LinuxFact]
    public void AddWriter_RunsTheCallback_WhileTheSocketIsWritable() =>
        SocketPairs.RunOnPair(async (loop, a, _) =>
        {
            var calls = 0;
            loop.AddWriter(a, () =>
            {
                calls++;
                loop.RemoveWriter(a);
            });
            while (calls == 0) await Aio.Sleep(0.001);
            await Aio.Sleep(0.02);
            Assert.Equal(1, calls);
            Assert.False(loop.RemoveWriter(a));
        });

    [LinuxFact]
    public void AddReader_Again_ReplacesTheCallback()
    {
        var log = new List<string>();
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            loop.AddReader(b, () => log.Add("first"));
            loop.AddReader(b, () =>
            {
                log.Add("second");
                loop.RemoveReader(b);
            });
            a.Send("x"u8);
            while (log.Count == 0) await Aio.Sleep(0.001);
            await Aio.Sleep(0.01);
        });
        Assert.Equal(["second"], log);
    }

    [LinuxFact]
    public void ReaderAndWriter_OnOneDescriptor_AreIndependent()
    {
        var log = new List<string>();
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            loop.AddReader(b, () =>
            {
                log.Add("read");
                loop.RemoveReader(b);
            });
            loop.AddWriter(b, () =>
            {
                log.Add("write");
                loop.RemoveWriter(b);
            });
            while (log.Count == 0) await Aio.Sleep(0.001);
            Assert.Equal(["write"], log);
            a.Send("x"u8);
            while (log.Count == 1) await Aio.Sleep(0.001);
        });
        Assert.Equal(["write", "read"], log);
    }

    [LinuxFact]
    public void RemoveReader_LeavesTheWriterOfTheSameDescriptor()
    {
        var log = new List<string>();
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            a.Send("x"u8);
            await Aio.Sleep(0.01);
            loop.AddReader(b, () => log.Add("read"));
            loop.AddWriter(b, () =>
            {
                log.Add("write");
                loop.RemoveWriter(b);
            });
            Assert.True(loop.RemoveReader(b));
            while (log.Count == 0) await Aio.Sleep(0.001);
            await Aio.Sleep(0.01);
        });
        Assert.Equal(["write"], log);
    }

    [LinuxFact]
    public void InDebugMode_AddReaderFromAnotherThread_Throws()
    {
        SocketPairs.RunOnPair(async (loop, _, b) =>
        {
            loop.Debug = true;
            Exception? error = await Aio.ToThread(() => Record.Exception(() => loop.AddReader(b, () => { })));
            Assert.IsType<InvalidOperationException>(error);
            Assert.False(loop.RemoveReader(b));
        });
    }

    [LinuxFact]
    public void RemoveReader_BeforeAQueuedCallRuns_KeepsItFromRunning()
    {
        var log = new List<string>();
        var (c, d) = SocketPairs.Connected();
        using (c)
        using (d)
        {
            SocketPairs.RunOnPair(async (loop, a, b) =>
            {
                // Both descriptors are ready at the same poll; whichever reader runs first removes the other,
                // whose call is already in the ready queue.
                void Reader(string name)
                {
                    log.Add(name);
                    loop.RemoveReader(b);
                    loop.RemoveReader(d);
                }
                a.Send("x"u8);
                c.Send("x"u8);
                await Aio.Sleep(0.01);
                loop.AddReader(b, () => Reader("b"));
                loop.AddReader(d, () => Reader("d"));
                while (log.Count == 0) await Aio.Sleep(0.001);
                await Aio.Sleep(0.02);
            });
        }
        Assert.Single(log);
    }

    [LinuxFact]
    public void AReaderThatThrows_GoesToTheExceptionHandler_AndTheLoopGoesOn()
    {
        var contexts = new List<ExceptionContext>();
        var loop = SelectorLoops.NewEpoll();
        loop.SetExceptionHandler((_, context) => contexts.Add(context));
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            loop.AddReader(b, () =>
            {
                loop.RemoveReader(b);
                throw new InvalidOperationException("boom");
            });
            a.Send("x"u8);
            while (contexts.Count == 0) await Aio.Sleep(0.001);
        }, loop: loop);
        ExceptionContext context = Assert.Single(contexts);
        Assert.Equal("boom", Assert.IsType<InvalidOperationException>(context.Exception).Message);
        Assert.StartsWith("Exception in callback", context.Message);
        // Named by the user's delegate, as asyncio names the reader's function.
        Assert.Contains(nameof(AReaderThatThrows_GoesToTheExceptionHandler_AndTheLoopGoesOn), context.Message);
    }

    [LinuxFact]
    public void AReader_RunsInTheExecutionContextOfItsRegistration()
    {
        var local = new AsyncLocal<string>();
        string? seen = null;
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            local.Value = "registered";
            loop.AddReader(b, () =>
            {
                seen = local.Value;
                loop.RemoveReader(b);
            });
            local.Value = "later";
            a.Send("x"u8);
            while (seen is null) await Aio.Sleep(0.001);
        });
        Assert.Equal("registered", seen);
    }

    [Fact]
    public void AddReader_OnALoopWithoutAnIoSelector_ThrowsNotSupported()
    {
        var loop = SelectorLoops.New("wait");
        var error = Assert.Throws<NotSupportedException>(() => loop.AddReader(0, () => { }));
        Assert.Contains("epoll", error.Message);
        Assert.Throws<NotSupportedException>(() => loop.AddWriter(0, () => { }));
        Assert.False(loop.RemoveReader(0));
        loop.Close();
    }

    [LinuxFact]
    public void AddReader_Refuses_ANegativeDescriptor_AClosedOne_AndAClosedLoop()
    {
        var loop = SelectorLoops.NewEpoll();
        Assert.Throws<ArgumentOutOfRangeException>(() => loop.AddReader(-1, () => { }));
        var (a, b) = SocketPairs.Connected();
        int fd = (int)b.Handle;
        a.Dispose();
        b.Dispose();
        Assert.Throws<IOException>(() => loop.AddReader(fd, () => { }));
        Assert.False(loop.RemoveReader(fd));
        loop.Close();
        Assert.Throws<InvalidOperationException>(() => loop.AddReader(0, () => { }));
        Assert.False(loop.RemoveReader(0));
    }

    [LinuxFact]
    public void RemoveReader_AfterTheSocketWasClosed_ForgetsIt()
    {
        var loop = SelectorLoops.NewEpoll();
        var (a, b) = SocketPairs.Connected();
        loop.AddReader(b, () => { });
        int fd = (int)b.Handle;
        a.Dispose();
        b.Dispose();
        Assert.True(loop.RemoveReader(fd));
        loop.Close();
    }

    [LinuxFact]
    public void Close_WithReadersAndWritersRegistered_ClosesCleanly_AndLeavesTheSocketsOpen()
    {
        var (a, b) = SocketPairs.Connected();
        using (a)
        using (b)
        {
            var loop = SelectorLoops.NewEpoll();
            loop.AddReader(b, () => { });
            loop.AddWriter(b, () => { });
            loop.AddWriter(a, () => { });
            loop.CallLater(0.01, loop.Stop);
            loop.RunForever();
            loop.Close();
            Assert.False(loop.RemoveReader(b));

            a.Send("x"u8);
            b.Blocking = true;
            var buffer = new byte[1];
            Assert.Equal(1, b.Receive(buffer));
        }
    }
}
