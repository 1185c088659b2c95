namespace Asyncio.Tests.Loop;

/// <summary>
/// The block storage behind the loop's task list and a task group's children: order kept across blocks, and
/// nothing referenced past the count after a truncation (a done task left in a slot would stay alive).
/// </summary>
public class BlockListTests
{
    /// <summary>Exposes the storage's protected operations to the tests.</summary>
    private sealed class Probe : BlockList<AioTask>
    {
        public void Add(AioTask task) => Append(task);

        public void Cut(int count) => Truncate(count);

        public AioTask? RawSlot(int index) => SlotAt(index);
    }

    private static async Coroutine Nothing() => await Aio.Sleep(0);

    /// <summary>Done tasks, each a distinct object.</summary>
    private static AioTask[] DoneTasks(int count)
    {
        var loop = TestLoop.NewVirtual();
        var tasks = new AioTask[count];
        for (int i = 0; i < count; i++) tasks[i] = loop.CreateTask(Nothing());
        loop.RunUntilComplete(tasks[^1]);
        loop.Close();
        return tasks;
    }

    /// <summary>A list holding <paramref name="count"/> distinct done tasks, in order.</summary>
    private static (Probe List, AioTask[] Tasks) Filled(int count)
    {
        AioTask[] tasks = DoneTasks(count);
        var list = new Probe();
        foreach (AioTask task in tasks) list.Add(task);
        return (list, tasks);
    }

    [Fact]
    public void Append_AcrossBlocks_KeepsTheOrder()
    {
        var (list, tasks) = Filled(3_000);

        Assert.Equal(3_000, list.Count);
        for (int i = 0; i < tasks.Length; i++) Assert.Same(tasks[i], list[i]);
    }

    [Fact]
    public void Truncate_ToZero_ClearsTheFirstBlock()
    {
        var (list, tasks) = Filled(3);

        list.Cut(0);

        Assert.Equal(0, list.Count);
        for (int i = 0; i < 3; i++) Assert.Null(list.RawSlot(i));
    }

    [Fact]
    public void Truncate_InsideABlock_ClearsTheRestOfIt_AndAppendingGoesOn()
    {
        var (list, tasks) = Filled(2_500);

        list.Cut(1_500);

        Assert.Equal(1_500, list.Count);
        Assert.Same(tasks[1_499], list.RawSlot(1_499));
        for (int i = 1_500; i < 2_048; i++) Assert.Null(list.RawSlot(i));
        foreach (AioTask task in tasks[1_500..]) list.Add(task);
        Assert.Equal(2_500, list.Count);
        Assert.Same(tasks[2_499], list[2_499]);
    }
}
