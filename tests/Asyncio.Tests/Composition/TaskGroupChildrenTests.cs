using System.Runtime.CompilerServices;

namespace Asyncio.Tests.Composition;

/// <summary>
/// How a task group holds its children: thousands of them across the blocks it keeps them in, done ones let go
/// while the group lives on, and every pending one cancelled when a child fails.
/// </summary>
public class TaskGroupChildrenTests
{
    private static async Coroutine<int> SleepFor(double seconds)
    {
        await Aio.Sleep(seconds);
        return 0;
    }

    private static async Coroutine<int> FailAfter(double seconds)
    {
        await Aio.Sleep(seconds);
        throw new InvalidOperationException("child failed");
    }

    [Fact]
    public void AFailingChild_CancelsThousandsOfPendingSiblings()
    {
        var loop = TestLoop.NewVirtual();
        var children = new List<AioTask<int>>();

        async Coroutine Main()
        {
            var group = await Assert.ThrowsAsync<ExceptionGroup>(async () => await TaskGroup.Run(tg =>
            {
                for (int i = 0; i < 3_000; i++) children.Add(tg.CreateTask(SleepFor(1_000)));
                tg.CreateTask(FailAfter(1));
            }));
            Assert.IsType<InvalidOperationException>(Assert.Single(group.InnerExceptions));
        }

        loop.RunUntilComplete(Main());
        loop.Close();

        Assert.All(children, child => Assert.True(child.IsCancelled));
    }

    [Fact]
    public void AfterMostChildrenFinished_AFailure_StillCancelsEveryPendingChild()
    {
        var loop = TestLoop.NewVirtual();
        var random = new Random(1234);
        var longLived = new List<AioTask<int>>();
        var shortLived = new List<AioTask<int>>();

        async Coroutine Main()
        {
            await Assert.ThrowsAsync<ExceptionGroup>(async () => await TaskGroup.Run(tg =>
            {
                // Short children finish in random order: the group drops done children several times meanwhile, and the
                // children span two of its blocks.
                for (int i = 0; i < 1_500; i++)
                {
                    if (random.Next(4) == 0) longLived.Add(tg.CreateTask(SleepFor(1_000)));
                    else shortLived.Add(tg.CreateTask(SleepFor(random.Next(20) / 20.0)));
                }
                tg.CreateTask(FailAfter(2));
            }));
        }

        loop.RunUntilComplete(Main());
        loop.Close();

        Assert.All(shortLived, child => Assert.Equal(0, child.Result()));
        Assert.All(longLived, child => Assert.True(child.IsCancelled));
    }

    [Fact]
    public void ALongLivedGroup_LetsGoOfItsDoneChildren()
    {
        var loop = TestLoop.NewVirtual();
        WeakReference? firstChild = null;
        bool collected = false;

        async Coroutine Main()
        {
            await TaskGroup.Run(async tg =>
            {
                firstChild = CreateUnreferencedChild(tg);
                for (int i = 0; i < 1_000; i++) _ = tg.CreateTask(SleepFor(0.001));
                _ = tg.CreateTask(SleepFor(10));
                await Aio.Sleep(1);   // every short child is done; the long one keeps the group open
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                collected = !firstChild.IsAlive;
            });
        }

        loop.RunUntilComplete(Main());
        loop.Close();

        Assert.True(collected, "the group still held its first child after it was done");
    }

    /// <summary>Not inlined: no reference to the task may stay behind in the caller's frame.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CreateUnreferencedChild(TaskGroup tg) => new(tg.CreateTask(SleepFor(0.001)));
}
