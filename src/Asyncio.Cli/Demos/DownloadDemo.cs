using Asyncio.Cli.Fetch;

namespace Asyncio.Cli.Demos;

/// <summary>
/// "simple aiohttp download demo", for real and then done safely, against <see cref="DemoServer"/> (Kestrel on
/// 127.0.0.1, in-process), which resets its first answer for <c>big.bin</c> mid-body. First <c>aio fetch</c>'s
/// engine downloads the files concurrently into a temporary directory: the cut download resumes with <c>Range</c> +
/// <c>If-Range</c>, the missing file fails without stopping the others. Then the cheat sheet's own code (one task per
/// URL with a shared HTTP client, <c>Aio.Wait</c>) downloads the same URLs, and shows what it misses: the 404 page is
/// saved as if it were the file. docs/fetch.md has the cheat sheet's code beside <c>aio fetch</c>.
/// </summary>
internal sealed class DownloadDemo : Demo
{
    /// <summary>Where the server cuts its first answer for <c>big.bin</c>.</summary>
    private const int CutAt = 100_000;

    /// <summary>The files served, by path.</summary>
    private static readonly Dictionary<string, DemoFile> s_files = new()
    {
        ["/big.bin"] = new(Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray(), DemoFault.ResetMidBody, CutAt),
        ["/hello.txt"] = new("hello, world\n"u8.ToArray()),
    };

    /// <summary>The paths asked for: two served, one missing.</summary>
    private static readonly string[] s_paths = ["/big.bin", "/hello.txt", "/missing.bin"];

    public override string Name => "download";

    public override string Title => "simple aiohttp download demo, done safely";

    public override int Order => 62;

    public override void Run(TextWriter output) => Aio.Run(Body(output));

    private static async Coroutine Body(TextWriter output)
    {
        string directory = Directory.CreateTempSubdirectory("aio-demo-download-").FullName;
        await using DemoServer server = await DemoServer.StartAsync(s_files);
        output.WriteLine($"serving big.bin and hello.txt on {server.Address}; the first answer for big.bin is cut after {CutAt} bytes");
        try
        {
            var options = new FetchOptions
            {
                Urls = [.. s_paths.Select(server.UrlOf)],
                OutDir = directory,
                BackoffBaseSeconds = 0.05,
            };
            IReadOnlyList<FetchResult> results = await Fetcher.RunAsync(options, NoProgress.Instance);
            foreach (FetchResult result in results)
            {
                string how = result.Error ?? $"{result.Bytes} bytes, {result.Attempts} attempt(s){(result.Resumed ? ", resumed" : "")}";
                output.WriteLine($"  {Path.GetFileName(result.Url.AbsolutePath),-12} {FetchReport.StatusName(result.Status),-10} {how}");
            }
            bool identical = s_files.All(f => File.ReadAllBytes(Path.Combine(directory, f.Key[1..])).AsSpan().SequenceEqual(f.Value.Content));
            output.WriteLine($"the files on disk are the ones served: {identical}; no .part left: {Directory.GetFiles(directory, "*.part").Length == 0}");
            await CheatSheetWay(server, Directory.CreateDirectory(Path.Combine(directory, "cheat-sheet")).FullName, output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The cheat sheet's <c>main</c>: one task per URL, a shared client, <c>asyncio.wait</c>.</summary>
    private static async Coroutine CheatSheetWay(DemoServer server, string directory, TextWriter output)
    {
        output.WriteLine("the cheat sheet's code (one task per URL, Aio.Wait, no checks):");
        using var session = new HttpClient();
        List<AioTask<string>> tasks = [.. s_paths.Select(p => Aio.CreateTask(DownloadImg(session, server.UrlOf(p), directory)))];
        WaitResult<AioTask<string>> done = await Aio.Wait(tasks);
        // asyncio.wait hands back the tasks, failures unread; here each one is read, in the order of the URLs.
        foreach (AioTask<string> task in tasks)
        {
            output.WriteLine($"  {(done.Done.Contains(task) && task.Exception() is null ? task.Result() : $"failed: {task.Exception()?.Message}")}");
        }
    }

    /// <summary>The cheat sheet's <c>download_img</c>: whatever the answer, its body goes to the URL's base name.</summary>
    private static async Coroutine<string> DownloadImg(HttpClient session, Uri url, string directory)
    {
        string fileName = Path.GetFileName(url.AbsolutePath);
        using HttpResponseMessage response = await session.GetAsync(url);
        byte[] content = await response.Content.ReadAsByteArrayAsync();
        await File.WriteAllBytesAsync(Path.Combine(directory, fileName), content);
        return $"{fileName,-12} HTTP {(int)response.StatusCode}, {content.Length} bytes written{((int)response.StatusCode >= 400 ? " anyway: an error page saved as the file" : "")}";
    }
}
