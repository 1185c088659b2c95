using System.Diagnostics;

namespace Asyncio.Cli.Demos;

/// <summary>
/// The cheat sheet's "run_in_executor (or to_thread) to run un-asyncable functions": ten blocking downloads
/// on a ThreadPoolExecutor(2), awaited together. Two at a time, 0.2 s each: about 1 s in all.
/// </summary>
/// <remarks>
/// <code>
/// def download_img(url):
///     print(f"download img {url} start")
///     time.sleep(0.2)          # blocking: not asyncable
///     print(f"download img {url} end")
///
/// async def main():
///     executor = ThreadPoolExecutor(2)
///     loop = asyncio.get_running_loop()
///     tasks = []
///     for i in range(10):
///         # t = loop.run_in_executor(None, download_img, i)   # the default executor
///         t = loop.run_in_executor(executor, download_img, i)
///         tasks.append(t)
///     await asyncio.wait(tasks)
/// </code>
/// </remarks>
internal sealed class RunInExecutorDemo : Demo
{
    public override string Name => "run-in-executor";

    public override string Title => "run_in_executor (or to_thread) to run un-asyncable functions";

    public override int Order => 900;

    public override void Run(TextWriter output)
    {
        // Workers print concurrently: a synchronized writer keeps each line whole.
        TextWriter console = TextWriter.Synchronized(output);

        void DownloadImg(int url)
        {
            console.WriteLine($"download img {url} start");
            Thread.Sleep(200);
            console.WriteLine($"download img {url} end");
        }

        async Coroutine Main()
        {
            using var executor = new ThreadPoolExecutor(2);
            EventLoop loop = Aio.GetRunningLoop();
            var tasks = new List<Future>();
            for (int i = 0; i < 10; i++)
            {
                int url = i;
                // Future t = loop.RunInExecutor(null, () => DownloadImg(url));   // the default executor
                Future t = loop.RunInExecutor(executor, () => DownloadImg(url));
                tasks.Add(t);
            }
            foreach (Future t in tasks) await t;
        }

        var clock = Stopwatch.StartNew();
        Aio.Run(Main());
        console.WriteLine($"took {clock.Elapsed.TotalSeconds:0.00} s (10 downloads of 0.2 s on 2 threads: ~1 s)");

        // asyncio.to_thread: the same blocking call from a coroutine, on the loop's default executor.
        clock.Restart();
        Aio.Run(Aio.ToThread(() => DownloadImg(10)));
        console.WriteLine($"to_thread took {clock.Elapsed.TotalSeconds:0.00} s");
    }
}
