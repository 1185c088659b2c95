using System.CommandLine;
using System.CommandLine.Parsing;
using Asyncio.Cli.Commands;

namespace Asyncio.Cli.Fetch;

/// <summary>
/// <c>aio fetch [options] URL ...</c>: the safe, resumable downloader. Parses the options into
/// <see cref="FetchOptions"/>, runs <see cref="Fetcher"/> in <c>Aio.Run</c>, prints the progress, the summary or
/// the JSON report. Exit codes: 0 all done, 1 some failed, 2 usage, 130 interrupted (Ctrl-C).
/// </summary>
internal static class FetchCommand
{
    /// <summary>The command's usage line.</summary>
    public const string Usage = "aio fetch [options] URL ... | aio fetch [options] -i FILE";

    /// <summary>Some downloads failed.</summary>
    public const int FailedExitCode = 1;

    /// <summary>Ctrl-C (128 + SIGINT, as a shell reports a process killed by it).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>Builds the command; <paramref name="stdin"/> is read for <c>-i -</c>.</summary>
    public static Command Create(TextReader stdin)
    {
        var urls = new Argument<string[]>("URL") { Description = "The URLs to download (http or https).", Arity = ArgumentArity.ZeroOrMore };
        var input = new Option<string>("--input", "-i") { Description = "Read URLs from FILE, one per line ('-': standard input; blank lines and # comments ignored).", HelpName = "FILE" };
        var outDir = new Option<string>("--out", "-o") { Description = "The directory to write to (created if missing).", HelpName = "DIR", DefaultValueFactory = _ => "." };
        var concurrency = Positive(new Option<int>("--concurrency", "-j") { Description = "Downloads at once.", HelpName = "N", DefaultValueFactory = _ => 4 });
        var perHost = Positive(new Option<int>("--per-host") { Description = "Downloads at once from one host.", HelpName = "N", DefaultValueFactory = _ => 2 });
        var rate = new Option<RequestRate?>("--rate")
        {
            Description = "At most N requests per second (N/s), minute (N/m) or hour (N/h).",
            HelpName = "N/s",
            CustomParser = result => OptionValues.ParseRate(result.Tokens[0].Value) ?? Error<RequestRate?>(result, $"--rate: expected N/s, N/m or N/h: {result.Tokens[0].Value}"),
        };
        var retries = new Option<int>("--retries") { Description = "Retries after a connection error, a timeout, a 5xx or a 429.", HelpName = "N", DefaultValueFactory = _ => 3 };
        retries.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--retries: must be 0 or more"); });
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for an answer, and for each read of a body.", HelpName = "SECONDS", DefaultValueFactory = _ => 30 };
        timeout.Validators.Add(r => { if (r.GetValueOrDefault<double>() is not > 0) r.AddError("--timeout: must be more than 0"); });
        var maxSize = new Option<long?>("--max-size")
        {
            Description = "Refuse files larger than SIZE (bytes, or with K, M, G, T: powers of 1024).",
            HelpName = "SIZE",
            CustomParser = result => OptionValues.ParseSize(result.Tokens[0].Value) ?? Error<long?>(result, $"--max-size: not a size: {result.Tokens[0].Value}"),
        };
        var sha256 = new Option<string>("--sha256") { Description = "The expected SHA-256 of the (single) file.", HelpName = "HEX" };
        sha256.Validators.Add(r => { if (r.GetValueOrDefault<string>() is { } hex && !Manifest.IsSha256(hex)) r.AddError($"--sha256: not 64 hex digits: {hex}"); });
        var manifest = new Option<string>("--manifest") { Description = "Verify each file against FILE, in sha256sum format (HEX  NAME).", HelpName = "FILE" };
        var insecure = new Option<bool>("--insecure", "-k") { Description = "Do not verify TLS certificates (verification is on by default)." };
        var json = new Option<bool>("--json") { Description = "Print a JSON report instead of the summary table." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress and no summary; errors still go to standard error." };
        var demo = new Option<bool>("--demo") { Description = "Download from a local demo server with injected faults (into --out, or a new temporary directory)." };

        var command = new AioCommand("fetch", "Download files safely: .part files, verified, resumable, renamed only when complete.", Usage)
        {
            urls, input, outDir, concurrency, perHost, rate, retries, timeout, maxSize, sha256, manifest, insecure, json, quiet, demo,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(sha256) is not null && result.GetValue(manifest) is not null) result.AddError("--sha256 and --manifest: give one or the other");
            if (result.GetValue(sha256) is not null && result.GetValue(input) is not null) result.AddError("--sha256 is for a single URL: use --manifest with --input");
            bool hasUrls = (result.GetValue(urls) ?? []).Length > 0 || result.GetValue(input) is not null;
            if (result.GetValue(demo) && hasUrls) result.AddError("--demo downloads from its own server: give no URL and no --input");
            if (result.GetValue(demo) && (result.GetValue(sha256) is not null || result.GetValue(manifest) is not null)) result.AddError("--demo verifies against its own manifest: no --sha256 or --manifest");
            if (!hasUrls && !result.GetValue(demo)) result.AddError("no URL: give URLs or --input FILE");
        });
        command.SetAction(result =>
        {
            TextWriter output = result.InvocationConfiguration.Output, error = result.InvocationConfiguration.Error;
            // The transfer settings the demo and a real run share.
            var transfer = new FetchOptions
            {
                Urls = [],
                Concurrency = result.GetValue(concurrency),
                PerHost = result.GetValue(perHost),
                Rate = result.GetValue(rate),
                Retries = result.GetValue(retries),
                TimeoutSeconds = result.GetValue(timeout),
                MaxSize = result.GetValue(maxSize),
            };
            if (result.GetValue(demo))
            {
                string? demoOut = result.GetResult(outDir) is { Implicit: false } ? result.GetValue(outDir) : null;
                return RunDemo(transfer, demoOut, result.GetValue(json), result.GetValue(quiet), output, error);
            }
            var problems = new List<string>();
            List<Uri> list = ReadUrls(result.GetValue(urls) ?? [], result.GetValue(input), stdin, problems);
            IReadOnlyDictionary<string, string>? digests = ReadManifest(result.GetValue(manifest), problems);
            if (list.Count == 0 && problems.Count == 0) problems.Add("no URL to download");
            if (result.GetValue(sha256) is not null && list.Count > 1) problems.Add("--sha256 is for a single URL: use --manifest for several");
            if (problems.Count > 0) return Program.ReportUsageError(result, problems, error);
            FetchOptions options = transfer with
            {
                Urls = list,
                OutDir = result.GetValue(outDir)!,
                Sha256 = result.GetValue(sha256)?.ToLowerInvariant(),
                Manifest = digests,
                Insecure = result.GetValue(insecure),
            };
            return Run(options, result.GetValue(json), result.GetValue(quiet), output, error);
        });
        return command;
    }

    /// <summary>Runs the downloads and prints the outcome; returns the exit code.</summary>
    internal static int Run(FetchOptions options, bool json, bool quiet, TextWriter output, TextWriter error)
    {
        try
        {
            Directory.CreateDirectory(options.OutDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"aio fetch: cannot use --out {options.OutDir}: {e.Message}");
            return FailedExitCode;
        }
        IReadOnlyList<FetchResult> results;
        try
        {
            results = !quiet && Terminal.IsTerminal(output)
                ? LiveProgress.Run(Terminal.For(output), options.Urls.Count, progress => Aio.Run(Fetcher.RunAsync(options, progress)))
                : Aio.Run(Fetcher.RunAsync(options, NoProgress.Instance));
        }
        catch (KeyboardInterrupt)
        {
            error.WriteLine("aio fetch: interrupted; partial downloads are kept as .part files: run the same command again to resume");
            return InterruptedExitCode;
        }
        if (json) FetchReport.WriteJson(results, output);
        else if (!quiet) FetchReport.WriteSummary(results, output);
        if (quiet || json)
        {
            foreach (FetchResult failed in results.Where(r => r.Status == FetchStatus.Failed)) error.WriteLine($"aio fetch: {failed.Url}: {failed.Error}");
        }
        return results.Any(r => r.Status == FetchStatus.Failed) ? FailedExitCode : 0;
    }

    /// <summary>How fast the demo server sends each body: slow enough for the progress to show.</summary>
    internal const double DemoBytesPerSecond = 512 * 1024;

    /// <summary>
    /// <c>aio fetch --demo</c>: serves <see cref="DemoServer.DemoSite"/> on 127.0.0.1 with Kestrel (throttled, with its faults) and
    /// downloads every file with <paramref name="options"/>, verified against the server's digests.
    /// </summary>
    /// <param name="options">The limits and retries asked for (URLs, directory and manifest are the demo's).</param>
    /// <param name="outDir">The directory asked for, or null for a new temporary one.</param>
    internal static int RunDemo(FetchOptions options, string? outDir, bool json, bool quiet, TextWriter output, TextWriter error)
    {
        string directory = outDir ?? Directory.CreateTempSubdirectory("aio-fetch-demo-").FullName;
        using DemoServer server = DemoServer.Start(DemoServer.DemoSite(), DemoBytesPerSecond);
        // The JSON report must stay the only thing on standard output.
        TextWriter notes = json ? error : output;
        if (!quiet)
        {
            notes.WriteLine($"aio fetch --demo: serving {server.Files.Count} files on http://{server.Address} at {DemoBytesPerSecond / 1024:F0} KiB/s per answer");
            notes.WriteLine("  faults: cat.jpg 500 then OK, dog.jpg reset mid-body, owl.png slow start, report.csv 429 + Retry-After, archive.bin 503 + Retry-After");
            notes.WriteLine($"  downloading into {directory}");
        }
        int code = Run(options with
        {
            Urls = [.. server.Files.Keys.Select(server.UrlOf)],
            OutDir = directory,
            Manifest = server.Files.ToDictionary(f => f.Key[(f.Key.LastIndexOf('/') + 1)..], f => f.Value.Sha256),
        }, json, quiet, output, error);
        if (!quiet) notes.WriteLine($"the server answered {server.Log.Count} requests: {string.Join(", ", server.Log.GroupBy(l => l[(l.LastIndexOf("-> ", StringComparison.Ordinal) + 3)..]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} x {g.Key}"))}");
        return code;
    }

    /// <summary>The URLs of the arguments, then of the input file; bad ones are added to <paramref name="problems"/>.</summary>
    internal static List<Uri> ReadUrls(IEnumerable<string> arguments, string? inputPath, TextReader stdin, List<string> problems)
    {
        IEnumerable<string> lines = arguments;
        if (inputPath is not null)
        {
            try
            {
                string text = inputPath == "-" ? stdin.ReadToEnd() : File.ReadAllText(inputPath);
                lines = lines.Concat(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"--input: {e.Message}");
            }
        }
        var urls = new List<Uri>();
        foreach (string line in lines)
        {
            if (Uri.TryCreate(line, UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
            {
                urls.Add(url);
            }
            else
            {
                problems.Add($"not an http or https URL: {line}");
            }
        }
        return urls;
    }

    private static Dictionary<string, string>? ReadManifest(string? path, List<string> problems)
    {
        if (path is null) return null;
        try
        {
            return Manifest.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            problems.Add($"--manifest: {e.Message}");
            return null;
        }
    }

    private static Option<int> Positive(Option<int> option)
    {
        option.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError($"{option.Name}: must be 1 or more"); });
        return option;
    }

    private static T? Error<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default;
    }
}
