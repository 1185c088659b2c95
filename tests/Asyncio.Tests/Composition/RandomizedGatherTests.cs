namespace Asyncio.Tests.Composition;

/// <summary>
/// Random gathers: children that yield a random number of times and then return, fail, or are cancelled at a random
/// iteration, checked against what asyncio does: each outcome in its argument's slot, the gather done in the
/// iteration after the child that decides it (the last one, or without <c>returnExceptions</c> the first to fail),
/// and that child's exception. The loop is stepped one iteration at a time (no timers: a stepped loop never jumps
/// its virtual clock).
/// </summary>
public class RandomizedGatherTests
{
    private enum Kind { Returns, Fails, Cancelled }

    /// <summary>One child's plan and what happened to it.</summary>
    private sealed class Child
    {
        public Kind Kind;
        public int Yields;

        /// <summary>For <see cref="Kind.Cancelled"/>: the iteration before which the test cancels it.</summary>
        public int CancelAt;
        public Exception? Error;
        public AioTask<int> Task = null!;

        /// <summary>The loop iteration the child completed in, and its rank among all completions.</summary>
        public int DoneIteration = -1;
        public int DoneRank = -1;
    }

    private sealed class Run
    {
        public int Iteration;
        public int Completions;
    }

    private static async Coroutine<int> Body(int index, Child child, Run run)
    {
        try
        {
            for (int i = 0; i < child.Yields; i++) await Aio.Sleep(0);
            if (child.Kind == Kind.Fails) throw child.Error!;
            return index;
        }
        finally
        {
            child.DoneIteration = run.Iteration;
            child.DoneRank = run.Completions++;
        }
    }

    private static Child[] Plan(Random random, int count)
    {
        var children = new Child[count];
        for (int i = 0; i < count; i++)
        {
            var kind = (Kind)random.Next(3);
            // Failures are rarer than successes, so that many gathers have only successes or fail late.
            if (kind != Kind.Returns && random.Next(4) != 0) kind = Kind.Returns;
            int cancelAt = random.Next(2, 8);   // after its first step, which runs in iteration 1
            children[i] = new Child
            {
                Kind = kind,
                // A child to be cancelled is still yielding then.
                Yields = kind == Kind.Cancelled ? cancelAt + 1 : random.Next(8),
                CancelAt = cancelAt,
                Error = kind == Kind.Fails ? new InvalidOperationException($"child {i}") : null,
            };
        }
        return children;
    }

    /// <summary>Starts the children, gathers them, and steps the loop until every child is done.</summary>
    private static (Future Gather, int DoneIteration) RunGather(EventLoop loop, Child[] children, bool returnExceptions)
    {
        var run = new Run();
        var tasks = new AioTask<int>[children.Length];
        for (int i = 0; i < children.Length; i++)
        {
            Child child = children[i];
            child.Task = tasks[i] = loop.CreateTask(Body(i, child, run));
        }
        Future gather = returnExceptions ? Aio.GatherResults(tasks) : Aio.Gather(tasks);
        int doneIteration = -1;
        while (children.Any(c => !c.Task.IsDone) || !gather.IsDone)
        {
            run.Iteration++;
            Assert.True(run.Iteration < 100, "the gather never finished");
            foreach (Child child in children)
            {
                if (child.Kind == Kind.Cancelled && child.CancelAt == run.Iteration) Assert.True(child.Task.Cancel());
            }
            loop.RunOnce();
            if (gather.IsDone && doneIteration < 0) doneIteration = run.Iteration;
        }
        return (gather, doneIteration);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RandomGathers_DoneWhenAndWithWhatAsyncioWouldBe(bool returnExceptions)
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int trial = 0; trial < 400; trial++)
        {
            int count = trial % 25 == 0 ? random.Next(1_000, 3_000) : random.Next(1, 40);
            Child[] children = Plan(random, count);
            var loop = TestLoop.NewVirtual();
            (Future gather, int doneIteration) = RunGather(loop, children, returnExceptions);
            string context = $"seed {seed}, trial {trial}, {count} children: " + (count > 40 ? "" : string.Join(" ", children.Select(c => $"{c.Kind}@{c.DoneIteration}#{c.DoneRank}")));

            Child? firstFailure = returnExceptions ? null
                : children.Where(c => c.Kind is Kind.Fails or Kind.Cancelled).MinBy(c => c.DoneRank);
            Child deciding = firstFailure ?? children.MaxBy(c => c.DoneRank)!;
            Assert.True(doneIteration == deciding.DoneIteration + 1, $"{context}: done in iteration {doneIteration}, decided in {deciding.DoneIteration}");
            if (returnExceptions)
            {
                Outcome<int>[] outcomes = ((Future<Outcome<int>[]>)gather).Result();
                for (int i = 0; i < count; i++) AssertOutcome(children[i], i, outcomes[i], context);
            }
            else if (firstFailure is null)
            {
                Assert.Equal(Enumerable.Range(0, count), ((Future<int[]>)gather).Result());
            }
            else if (firstFailure.Kind == Kind.Fails)
            {
                Assert.Same(firstFailure.Error, gather.Exception());
            }
            else
            {
                Assert.IsType<CancelledError>(gather.Exception());
            }
            loop.Close();
        }
    }

    [Fact] // asyncio: the group's exit resumes two iterations after its last child completes (its callback, then the wake-up)
    public void RandomTaskGroups_ResumeTheBodyWhenAsyncioWould()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int trial = 0; trial < 400; trial++)
        {
            int count = trial % 25 == 0 ? random.Next(1_000, 3_000) : random.Next(1, 40);
            // Children that return or are cancelled from outside (a cancelled child does not fail its group).
            Child[] children = Plan(random, count);
            foreach (Child child in children)
            {
                if (child.Kind == Kind.Fails) child.Kind = Kind.Returns;
                // The children start one iteration later than a gather's: the body that creates them runs in the first.
                child.CancelAt++;
                child.Yields++;
            }
            var loop = TestLoop.NewVirtual();
            var run = new Run();
            int resumedIn = -1;
            async Coroutine Parent()
            {
                await TaskGroup.Run(tg =>
                {
                    for (int i = 0; i < count; i++) children[i].Task = tg.CreateTask(Body(i, children[i], run));
                });
                resumedIn = run.Iteration;
            }
            AioTask parent = loop.CreateTask(Parent());
            while (!parent.IsDone)
            {
                run.Iteration++;
                Assert.True(run.Iteration < 100, "the group never finished");
                foreach (Child child in children)
                {
                    if (child.Kind == Kind.Cancelled && child.CancelAt == run.Iteration) Assert.True(child.Task.Cancel());
                }
                loop.RunOnce();
            }

            int lastDone = children.Max(c => c.DoneIteration);
            Assert.True(resumedIn == lastDone + 2, $"seed {seed}, trial {trial}, {count} children: resumed in iteration {resumedIn}, last child done in {lastDone}");
            Assert.Null(parent.Exception());
            loop.Close();
        }
    }

    private static void AssertOutcome(Child child, int index, Outcome<int> outcome, string context)
    {
        switch (child.Kind)
        {
            case Kind.Fails:
                Assert.Same(child.Error, outcome.Exception);
                break;
            case Kind.Cancelled:
                Assert.True(outcome.Exception is CancelledError, $"{context}: child {index} was cancelled, got {outcome}");
                break;
            default:
                Assert.Equal(index, outcome.Value);
                break;
        }
    }
}
