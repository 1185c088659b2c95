namespace Asyncio.Analyzers.Tests;

public class NeverAwaitedTests
{
    private const string Work = """
            static async Coroutine Work() => await Aio.Sleep(0);
            static async Coroutine<int> Answer() { await Aio.Sleep(0); return 42; }

        """;

    private static Task Analyze(string body) =>
        Verify.AnalyzerAsync<NeverAwaitedAnalyzer>("class C\n{\n" + Work + body + "\n}\n");

    private static Task Fix(string body, string fixedBody, string key) =>
        Verify.FixAsync<NeverAwaitedAnalyzer, NeverAwaitedCodeFix>("class C\n{\n" + Work + body + "\n}\n", "class C\n{\n" + Work + fixedBody + "\n}\n", key);

    [Fact]
    public Task DroppedCoroutine_InSyncMethod_Fires() => Analyze("""
            static void Start() { {|AIO001:Work()|}; }
        """);

    [Fact]
    public Task DroppedCoroutine_InCoroutine_Fires() => Analyze("""
            static async Coroutine Start() { {|AIO001:Work()|}; await Aio.Sleep(0); }
        """);

    [Fact]
    public Task DroppedCoroutineWithResult_Fires() => Analyze("""
            static void Start() { {|AIO001:Answer()|}; }
        """);

    [Fact]
    public Task DiscardedCoroutine_Fires() => Analyze("""
            static void Start() { _ = {|AIO001:Work()|}; }
        """);

    [Fact]
    public Task DroppedCoroutineFromLocalDelegate_Fires() => Analyze("""
            static void Start(Func<Coroutine> make) { {|AIO001:make()|}; }
        """);

    [Fact]
    public Task DroppedSleep_Fires() => Analyze("""
            static async Coroutine Start() { {|AIO001:Aio.Sleep(1)|}; await Work(); }
        """);

    [Fact]
    public Task DroppedLockAcquisition_Fires() => Analyze("""
            static void Start(AsyncLock gate) { {|AIO001:gate.AcquireAsync()|}; }
        """);

    [Fact]
    public Task DroppedConditionalCall_Fires() => Analyze("""
            static void Start(AsyncQueue<int>? queue) { {|AIO001:queue?.GetAsync()|}; }
        """);

    [Fact]
    public Task AwaitedCoroutine_DoesNotFire() => Analyze("""
            static async Coroutine Start() { await Work(); int answer = await Answer(); }
        """);

    [Fact]
    public Task CoroutinePassedToCreateTask_DoesNotFire() => Analyze("""
            static void Start() { Aio.CreateTask(Work()); _ = Aio.CreateTask(Answer()); }
        """);

    [Fact]
    public Task CoroutineReturned_DoesNotFire() => Analyze("""
            static Coroutine Start() => Work();
            static Coroutine<int> Again() { return Answer(); }
        """);

    [Fact]
    public Task CoroutineStoredInVariableOrCollection_DoesNotFire() => Analyze("""
            static void Start(System.Collections.Generic.List<Coroutine> pending)
            {
                Coroutine later = Work();
                pending.Add(Work());
                pending.Add(later);
            }
        """);

    [Fact]
    public Task AwaitFix_AwaitsTheCoroutine() => Fix("""
            static async Coroutine Start()
            {
                {|AIO001:Work()|};
            }
        """, """
            static async Coroutine Start()
            {
                await Work();
            }
        """, "Await");

    [Fact]
    public Task AwaitFix_OnADiscard_AwaitsTheCoroutine() => Fix("""
            static async Coroutine Start()
            {
                _ = {|AIO001:Answer()|};
            }
        """, """
            static async Coroutine Start()
            {
                await Answer();
            }
        """, "Await");

    [Fact]
    public Task AwaitFix_IsNotOfferedOutsideAnAsyncFunction() =>
        Verify.NoFixAsync<NeverAwaitedAnalyzer, NeverAwaitedCodeFix>("class C\n{\n" + Work + """
            static void Start() { {|AIO001:Work()|}; }
        }
        """, "Await");

    [Fact]
    public Task CreateTaskFix_StartsTheCoroutineAsATask() => Fix("""
            static void Start()
            {
                {|AIO001:Work()|};
            }
        """, """
            static void Start()
            {
                _ = Aio.CreateTask(Work());
            }
        """, "CreateTask");

    [Fact]
    public Task CreateTaskFix_InAnArrowBody_StartsTheCoroutineAsATask() => Fix("""
            static void Start() => {|AIO001:Work()|};
        """, """
            static void Start() => _ = Aio.CreateTask(Work());
        """, "CreateTask");

    [Fact]
    public Task AwaitFix_InAnAsyncLambda_AwaitsTheCoroutine() => Fix("""
            static Func<Coroutine> Make() => async () => {|AIO001:Work()|};
        """, """
            static Func<Coroutine> Make() => async () => await Work();
        """, "Await");

    [Fact]
    public Task CreateTaskFix_OnADiscard_StartsTheCoroutineAsATask() => Fix("""
            static void Start()
            {
                _ = {|AIO001:Answer()|};
            }
        """, """
            static void Start()
            {
                _ = Aio.CreateTask(Answer());
            }
        """, "CreateTask");
}
