namespace Asyncio.Analyzers.Tests;

public class BlockingCallTests
{
    private static Task Analyze(string body) =>
        Verify.AnalyzerAsync<BlockingCallAnalyzer>("class C\n{\n" + body + "\n}\n");

    private static Task Fix(string body, string fixedBody, string key) =>
        Verify.FixAsync<BlockingCallAnalyzer, BlockingCallCodeFix>("class C\n{\n" + body + "\n}\n", "class C\n{\n" + fixedBody + "\n}\n", key);

    [Fact]
    public Task ThreadSleep_InCoroutine_Fires() => Analyze("""
            static async Coroutine Work() { {|AIO002:Thread.Sleep(500)|}; await Aio.Sleep(0); }
        """);

    [Fact]
    public Task TaskWait_InCoroutine_Fires() => Analyze("""
            static async Coroutine Work(Task t) { {|AIO002:t.Wait()|}; await Aio.Sleep(0); }
        """);

    [Fact]
    public Task TaskWaitAll_InCoroutine_Fires() => Analyze("""
            static async Coroutine Work(Task a, Task b) { {|AIO002:Task.WaitAll(a, b)|}; await Aio.Sleep(0); }
        """);

    [Fact]
    public Task TaskResult_InCoroutine_Fires() => Analyze("""
            static async Coroutine<int> Work(Task<int> t) { await Aio.Sleep(0); return {|AIO002:t.Result|}; }
        """);

    [Fact]
    public Task ValueTaskResult_InCoroutine_Fires() => Analyze("""
            static async Coroutine<int> Work(ValueTask<int> t) { await Aio.Sleep(0); return {|AIO002:t.Result|}; }
        """);

    [Fact]
    public Task GetAwaiterGetResult_InCoroutine_Fires() => Analyze("""
            static async Coroutine<int> Work(Task<int> t) { await Aio.Sleep(0); return {|AIO002:t.GetAwaiter().GetResult()|}; }
        """);

    [Fact]
    public Task FileReadAllText_InCoroutine_Fires() => Analyze("""
            static async Coroutine<string> Work(string path) { await Aio.Sleep(0); return {|AIO002:File.ReadAllText(path)|}; }
        """);

    [Fact]
    public Task FileStreamRead_InCoroutine_Fires() => Analyze("""
            static async Coroutine<int> Work(FileStream file, byte[] buffer) { await Aio.Sleep(0); return {|AIO002:file.Read(buffer, 0, buffer.Length)|}; }
        """);

    [Fact]
    public Task SocketReceive_InCoroutine_Fires() => Analyze("""
            static async Coroutine<int> Work(Socket socket, byte[] buffer) { await Aio.Sleep(0); return {|AIO002:socket.Receive(buffer)|}; }
        """);

    [Fact]
    public Task MonitorEnter_InCoroutine_Fires() => Analyze("""
            static async Coroutine Work(object gate) { {|AIO002:Monitor.Enter(gate)|}; await Aio.Sleep(0); Monitor.Exit(gate); }
        """);

    [Fact]
    public Task SemaphoreSlimWait_InCoroutine_Fires() => Analyze("""
            static async Coroutine Work(SemaphoreSlim gate) { {|AIO002:gate.Wait()|}; await Aio.Sleep(0); }
        """);

    [Fact]
    public Task ThreadSleep_InAsyncCoroutineLambda_Fires() => Analyze("""
            static Func<Coroutine> Make() => async () => { {|AIO002:Thread.Sleep(10)|}; await Aio.Sleep(0); };
        """);

    [Fact]
    public Task ThreadSleep_InAsyncCoroutineLocalFunction_Fires() => Analyze("""
            static Coroutine Make()
            {
                return Inner();
                static async Coroutine Inner() { {|AIO002:Thread.Sleep(10)|}; await Aio.Sleep(0); }
            }
        """);

    [Fact]
    public Task AioSleep_InCoroutine_DoesNotFire() => Analyze("""
            static async Coroutine Work() { await Aio.Sleep(0.5); }
        """);

    [Fact]
    public Task ThreadSleep_InSyncMethod_DoesNotFire() => Analyze("""
            static void Work(Task t) { Thread.Sleep(500); t.Wait(); }
        """);

    [Fact]
    public Task ThreadSleep_InAsyncTaskMethod_DoesNotFire() => Analyze("""
            static async Task Work() { Thread.Sleep(500); await Task.Yield(); }
        """);

    [Fact]
    public Task BlockingCall_InLambdaGivenToToThread_DoesNotFire() => Analyze("""
            static async Coroutine<string> Work(string path) => await Aio.ToThread(() => File.ReadAllText(path));
        """);

    [Fact]
    public Task AwaitedAsynchronousFileRead_DoesNotFire() => Analyze("""
            static async Coroutine<string> Work(string path) => await File.ReadAllTextAsync(path);
        """);

    [Fact]
    public Task SleepFix_ConvertsConstantMillisecondsToSeconds() => Fix("""
            static async Coroutine Work()
            {
                {|AIO002:Thread.Sleep(500)|};
            }
        """, """
            static async Coroutine Work()
            {
                await Aio.Sleep(0.5);
            }
        """, "Sleep");

    [Fact]
    public Task SleepFix_DividesVariableMillisecondsBy1000() => Fix("""
            static async Coroutine Work(int ms)
            {
                {|AIO002:Thread.Sleep(ms + 1)|};
            }
        """, """
            static async Coroutine Work(int ms)
            {
                await Aio.Sleep((ms + 1) / 1000.0);
            }
        """, "Sleep");

    [Fact]
    public Task SleepFix_PassesATimeSpanAsItIs() => Fix("""
            static async Coroutine Work()
            {
                {|AIO002:Thread.Sleep(TimeSpan.FromSeconds(2))|};
            }
        """, """
            static async Coroutine Work()
            {
                await Aio.Sleep(TimeSpan.FromSeconds(2));
            }
        """, "Sleep");

    [Fact]
    public Task SleepFix_TurnsTimeoutInfiniteIntoAnEndlessSleep() => Fix("""
            static async Coroutine Work()
            {
                {|AIO002:Thread.Sleep(Timeout.Infinite)|};
            }
        """, """
            static async Coroutine Work()
            {
                await Aio.Sleep(double.PositiveInfinity);
            }
        """, "Sleep");

    [Fact]
    public Task AwaitFix_ReplacesResult() => Fix("""
            static async Coroutine<int> Work(Task<string> t)
            {
                return {|AIO002:t.Result|}.Length;
            }
        """, """
            static async Coroutine<int> Work(Task<string> t)
            {
                return (await t).Length;
            }
        """, "Await");

    [Fact]
    public Task AwaitFix_ReplacesWait() => Fix("""
            static async Coroutine Work(Task t)
            {
                {|AIO002:t.Wait()|};
            }
        """, """
            static async Coroutine Work(Task t)
            {
                await t;
            }
        """, "Await");

    [Fact]
    public Task AwaitFix_ReplacesGetAwaiterGetResult() => Fix("""
            static async Coroutine<int> Work(Task<int> t)
            {
                int value = {|AIO002:t.GetAwaiter().GetResult()|};
                return value;
            }
        """, """
            static async Coroutine<int> Work(Task<int> t)
            {
                int value = await t;
                return value;
            }
        """, "Await");

    [Fact]
    public Task ToThreadFix_MovesTheCallToAWorkerThread() => Fix("""
            static async Coroutine<string> Work(string path)
            {
                return {|AIO002:File.ReadAllText(path)|};
            }
        """, """
            static async Coroutine<string> Work(string path)
            {
                return await Aio.ToThread(() => File.ReadAllText(path));
            }
        """, "ToThread");

    [Fact]
    public Task ToThreadFix_MovesAVoidCallToAWorkerThread() => Fix("""
            static async Coroutine Work(string path)
            {
                {|AIO002:File.WriteAllText(path, "x")|};
            }
        """, """
            static async Coroutine Work(string path)
            {
                await Aio.ToThread(() => File.WriteAllText(path, "x"));
            }
        """, "ToThread");

    [Fact]
    public Task MonitorEnter_GetsNoFix() =>
        Verify.NoFixAsync<BlockingCallAnalyzer, BlockingCallCodeFix>("""
        class C
        {
            static async Coroutine Work(object gate) { {|AIO002:Monitor.Enter(gate)|}; await Aio.Sleep(0); Monitor.Exit(gate); }
        }
        """, "ToThread");
}
