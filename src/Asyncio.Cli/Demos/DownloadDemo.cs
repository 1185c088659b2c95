using System.Net;
using System.Text;
using Asyncio.Cli.Fetch;

namespace Asyncio.Cli.Demos;

/// <summary>
/// "simple aiohttp download demo", done safely: a tiny HTTP server on the loop (<c>Aio.StartServer</c>) serves a
/// few files, cutting its first answer short, and <c>aio fetch</c>'s engine downloads them all concurrently into a
/// temporary directory: the cut download resumes with <c>Range</c> + <c>If-Range</c>, the missing file fails
/// without stopping the others. docs/fetch.md has the cheat sheet's code beside <c>aio fetch</c>.
/// </summary>
internal sealed class DownloadDemo : Demo
{
    /// <summary>Where the server cuts its first answer for <c>big.bin</c>.</summary>
    private const int CutAt = 100_000;

    /// <summary>The files served, by path.</summary>
    private static readonly Dictionary<string, byte[]> s_files = new()
    {
        ["/big.bin"] = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray(),
        ["/hello.txt"] = "hello, world\n"u8.ToArray(),
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
        int bigAnswers = 0;
        await using Server server = await Aio.StartServer((r, w) => Serve(r, w, () => ++bigAnswers == 1), "127.0.0.1", 0);
        var address = (IPEndPoint)server.Sockets[0].LocalEndPoint!;
        output.WriteLine($"serving big.bin and hello.txt on {address}; the first answer for big.bin is cut after {CutAt} bytes");
        try
        {
            var options = new FetchOptions
            {
                Urls = [.. s_paths.Select(p => new Uri($"http://{address}{p}"))],
                OutDir = directory,
                BackoffBaseSeconds = 0.05,
            };
            IReadOnlyList<FetchResult> results = await Fetcher.RunAsync(options, NoProgress.Instance);
            foreach (FetchResult result in results)
            {
                string how = result.Error ?? $"{result.Bytes} bytes, {result.Attempts} attempt(s){(result.Resumed ? ", resumed" : "")}";
                output.WriteLine($"  {Path.GetFileName(result.Url.AbsolutePath),-12} {FetchReport.StatusName(result.Status),-10} {how}");
            }
            bool identical = s_files.All(f => File.ReadAllBytes(Path.Combine(directory, f.Key[1..])).AsSpan().SequenceEqual(f.Value));
            output.WriteLine($"the files on disk are the ones served: {identical}; no .part left: {Directory.GetFiles(directory, "*.part").Length == 0}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Answers one GET (HTTP/1.1, one request per connection), honouring <c>Range: bytes=N-</c>.</summary>
    /// <param name="reader">The request.</param>
    /// <param name="writer">The response.</param>
    /// <param name="firstBigAnswer">Called for big.bin: true the first time (that answer is cut).</param>
    private static async Coroutine Serve(AsyncStreamReader reader, AsyncStreamWriter writer, Func<bool> firstBigAnswer)
    {
        string[] head = Encoding.ASCII.GetString(await reader.ReadUntilAsync("\r\n\r\n"u8.ToArray())).Split("\r\n");
        string path = head[0].Split(' ')[1];
        string? range = head.FirstOrDefault(h => h.StartsWith("Range: bytes=", StringComparison.OrdinalIgnoreCase))?["Range: bytes=".Length..].TrimEnd('-');
        if (!s_files.TryGetValue(path, out byte[]? content))
        {
            writer.Write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8);
        }
        else
        {
            bool cut = path == "/big.bin" && firstBigAnswer();
            int from = range is null ? 0 : int.Parse(range, System.Globalization.CultureInfo.InvariantCulture);
            string status = range is null ? "200 OK" : $"206 Partial Content\r\nContent-Range: bytes {from}-{content.Length - 1}/{content.Length}";
            writer.Write(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 {status}\r\nContent-Length: {content.Length - from}\r\nETag: \"v1\"\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n"));
            // The first answer stops early: the client sees the connection end before Content-Length bytes.
            writer.Write(content.AsSpan(from, cut ? CutAt : content.Length - from));
        }
        await writer.DrainAsync();
        writer.Close();
        await writer.WaitClosedAsync();
    }
}
