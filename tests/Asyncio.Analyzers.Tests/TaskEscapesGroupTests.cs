namespace Asyncio.Analyzers.Tests;

public class TaskEscapesGroupTests
{
    private const string Work = """
            static async Coroutine Work() => await Aio.Sleep(0);
            static async Coroutine<int> Answer() { await Aio.Sleep(0); return 42; }

        """;

    private static Task Analyze(string body) =>
        Verify.AnalyzerAsync<TaskEscapesGroupAnalyzer>("class C\n{\n" + Work + body + "\n}\n");

    private static Task Fix(string body, string fixedBody) =>
        Verify.FixAsync<TaskEscapesGroupAnalyzer, TaskEscapesGroupCodeFix>(
            "class C\n{\n" + Work + body + "\n}\n", "class C\n{\n" + Work + fixedBody + "\n}\n", "GroupCreateTask");

    [Fact]
    public Task AioCreateTask_InGroupBody_Fires() => Analyze("""
            static async Coroutine Main() => await TaskGroup.Run(async tg => { _ = {|AIO003:Aio.CreateTask(Work())|}; await Aio.Sleep(0); });
        """);

    [Fact]
    public Task AioCreateTask_StoredInGroupBody_Fires() => Analyze("""
            static async Coroutine Main() => await TaskGroup.Run(async tg => { AioTask<int> task = {|AIO003:Aio.CreateTask(Answer())|}; await task; });
        """);

    [Fact]
    public Task AioCreateTask_InSyncGroupBody_Fires() => Analyze("""
            static async Coroutine Main() => await TaskGroup.Run(tg => { {|AIO003:Aio.CreateTask(Work())|}; });
        """);

    [Fact]
    public Task AioCreateTask_AfterAwaitUsingGroup_Fires() => Analyze("""
            static async Coroutine Main()
            {
                await using var group = new TaskGroup();
                _ = {|AIO003:Aio.CreateTask(Work())|};
            }
        """);

    [Fact]
    public Task AioCreateTask_InAwaitUsingGroupBlock_Fires() => Analyze("""
            static async Coroutine Main()
            {
                await using (var group = new TaskGroup())
                {
                    _ = {|AIO003:Aio.CreateTask(Work())|};
                }
            }
        """);

    [Fact]
    public Task GroupCreateTask_InGroupBody_DoesNotFire() => Analyze("""
            static async Coroutine Main() => await TaskGroup.Run(async tg => { tg.CreateTask(Work()); await Aio.Sleep(0); });
        """);

    [Fact]
    public Task AioCreateTask_OutsideAGroup_DoesNotFire() => Analyze("""
            static async Coroutine Main() { _ = Aio.CreateTask(Work()); await Aio.Sleep(0); }
        """);

    [Fact]
    public Task AioCreateTask_BeforeTheGroupIsDeclared_DoesNotFire() => Analyze("""
            static async Coroutine Main()
            {
                _ = Aio.CreateTask(Work());
                await using var group = new TaskGroup();
            }
        """);

    [Fact]
    public Task AioCreateTask_InALambdaInsideTheBody_DoesNotFire() => Analyze("""
            static async Coroutine Main(Action<Action> later) => await TaskGroup.Run(async tg => { later(() => Aio.CreateTask(Work())); await Aio.Sleep(0); });
        """);

    [Fact]
    public Task Fix_UsesTheBodyParameterName() => Fix("""
            static async Coroutine Main() => await TaskGroup.Run(async group =>
            {
                _ = {|AIO003:Aio.CreateTask(Work())|};
                await Aio.Sleep(0);
            });
        """, """
            static async Coroutine Main() => await TaskGroup.Run(async group =>
            {
                _ = group.CreateTask(Work());
                await Aio.Sleep(0);
            });
        """);

    [Fact]
    public Task Fix_KeepsTypeArgumentsAndTheName() => Fix("""
            static async Coroutine Main() => await TaskGroup.Run(async tg =>
            {
                AioTask<int> task = {|AIO003:Aio.CreateTask<int>(Answer(), "answer")|};
                await task;
            });
        """, """
            static async Coroutine Main() => await TaskGroup.Run(async tg =>
            {
                AioTask<int> task = tg.CreateTask<int>(Answer(), "answer");
                await task;
            });
        """);

    [Fact]
    public Task Fix_UsesTheAwaitUsingVariable() => Fix("""
            static async Coroutine Main()
            {
                await using var children = new TaskGroup();
                _ = {|AIO003:Aio.CreateTask(Work())|};
            }
        """, """
            static async Coroutine Main()
            {
                await using var children = new TaskGroup();
                _ = children.CreateTask(Work());
            }
        """);
}
