using System.Net.Sockets;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Sockets;

namespace Asyncio.Tests.Selectors;

/// <summary>
/// How the callbacks of descriptors found ready join the ready queue: two per iteration, the rest in the next
/// iterations before the selector is asked again, so that the tasks they wake run between them.
/// </summary>
public class IoDispatchTests
{
    private const int Pairs = 6;

    /// <summary><see cref="Pairs"/> connected pairs whose receiving ends each hold one unread byte, there once the bytes have crossed loopback.</summary>
    private static (Socket A, Socket B)[] ReadyPairs()
    {
        var pairs = Enumerable.Range(0, Pairs).Select(_ => SocketPairs.Connected()).ToArray();
        foreach (var (a, _) in pairs) a.Send("x"u8);
        return pairs;
    }

    private static void DisposeAll((Socket A, Socket B)[] pairs)
    {
        foreach (var (a, b) in pairs)
        {
            a.Dispose();
            b.Dispose();
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a new loop with the receiving ends of <see cref="ReadyPairs"/>, so that a
    /// reader added to any of them is ready at the next poll.
    /// </summary>
    private static void WithReadyPairs(Func<EventLoop, Socket[], Coroutine> body)
    {
        var pairs = ReadyPairs();
        try
        {
            EventLoop loop = SelectorLoops.NewEpoll();
            SelectorLoops.Run(loop, async () =>
            {
                await Aio.Sleep(0.02);
                await body(loop, pairs.Select(p => p.B).ToArray());
            });
        }
        finally
        {
            DisposeAll(pairs);
        }
    }

    /// <summary>Counts the loop's iterations: a callback that schedules itself again every time it runs.</summary>
    private sealed class Ticker(EventLoop loop)
    {
        public int Tick { get; private set; }
        public bool Stopped { get; set; }

        public void Start() => loop.CallSoon(Step);

        private void Step()
        {
            Tick++;
            if (!Stopped) loop.CallSoon(Step);
        }
    }

    [LinuxFact]
    public void ReadersFoundReadyByOnePoll_RunTwoPerIteration_InConsecutiveIterations()
    {
        var ticks = new List<int>();
        WithReadyPairs(async (loop, readable) =>
        {
            var ticker = new Ticker(loop);
            ticker.Start();
            foreach (Socket socket in readable)
            {
                loop.AddReader(socket, () =>
                {
                    ticks.Add(ticker.Tick);
                    loop.RemoveReader(socket);
                });
            }
            while (ticks.Count < Pairs) await Aio.Sleep(0.001);
            ticker.Stopped = true;
        });
        int first = ticks[0];
        Assert.Equal([first, first, first + 1, first + 1, first + 2, first + 2], ticks);
    }

    [LinuxFact]
    public void ATaskWokenByAReader_RunsBeforeTheRestOfTheReadersFoundReadyWithIt()
    {
        // asyncio runs every callback of a poll first, so there the task would come last.
        var log = new List<string>();
        WithReadyPairs(async (loop, readable) =>
        {
            Future<bool> woken = loop.CreateFuture<bool>();
            AioTask waiter = Aio.CreateTask(Waiter());
            await Aio.Sleep(0);   // the waiter awaits the future
            for (int i = 0; i < readable.Length; i++)
            {
                Socket socket = readable[i];
                loop.AddReader(socket, () =>
                {
                    log.Add("reader");
                    if (!woken.IsDone) woken.SetResult(true);
                    loop.RemoveReader(socket);
                });
            }
            await waiter;

            async Coroutine Waiter()
            {
                await woken;
                log.Add("task");
            }
        });
        Assert.Equal(Pairs + 1, log.Count);
        Assert.Equal(2, log.IndexOf("task"));
    }

    [LinuxFact]
    public void AReaderRemovedWhileItsCallWaitsForItsTurn_DoesNotRun()
    {
        var ran = new List<int>();
        WithReadyPairs(async (loop, readable) =>
        {
            for (int i = 0; i < readable.Length; i++)
            {
                int index = i;
                loop.AddReader(readable[i], () =>
                {
                    ran.Add(index);
                    foreach (Socket socket in readable) loop.RemoveReader(socket);
                });
            }
            while (ran.Count == 0) await Aio.Sleep(0.001);
            await Aio.Sleep(0.02);
        });
        Assert.Single(ran);
    }

    [LinuxFact]
    public void AReaderAddedWhileCallsWait_RunsOnlyAfterThemAll_AtTheNextPoll()
    {
        var log = new List<string>();
        var (late, lateReadable) = SocketPairs.Connected();
        using (late)
        using (lateReadable)
        {
            late.Send("x"u8);
            WithReadyPairs(async (loop, readable) =>
            {
                foreach (Socket socket in readable)
                {
                    loop.AddReader(socket, () =>
                    {
                        if (log.Count == 0)
                        {
                            loop.AddReader(lateReadable, () =>
                            {
                                log.Add("late");
                                loop.RemoveReader(lateReadable);
                            });
                        }
                        log.Add("early");
                        loop.RemoveReader(socket);
                    });
                }
                while (log.Count < Pairs + 1) await Aio.Sleep(0.001);
            });
        }
        Assert.Equal([.. Enumerable.Repeat("early", Pairs), "late"], log);
    }

    [LinuxFact]
    public void CallsStillWaitingWhenTheLoopStops_RunAtItsNextRun_AndCloseDropsThem()
    {
        var pairs = ReadyPairs();
        try
        {
            Thread.Sleep(20);
            EventLoop loop = SelectorLoops.NewEpoll();
            int calls = 0;
            foreach (var (_, b) in pairs)
            {
                Socket socket = b;
                loop.AddReader(socket, () =>
                {
                    calls++;
                    loop.RemoveReader(socket);
                    loop.Stop();
                });
            }
            loop.RunForever();
            Assert.Equal(2, calls);
            loop.RunForever();
            Assert.Equal(4, calls);
            loop.Close();
            Assert.Equal(4, calls);
        }
        finally
        {
            DisposeAll(pairs);
        }
    }
}
