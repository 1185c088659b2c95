using System.Text.Json;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Cli;

/// <summary>
/// <c>aio fetch</c> end to end through the command line: exit codes, the JSON report, the plain summary, URL lists
/// from a file or standard input, the manifest option.
/// </summary>
public sealed class FetchCommandTests : FetchSandbox
{
    [LinuxFact]
    public void AllDownloaded_Exit0_WithAPlainSummary()
    {
        Uri a = Server.Serve("/a.bin", new ServedFile { Content = FetchTests.Bytes(2048) });
        var (code, output, error) = CommandLineTests.Run($"fetch -o {Dir} {a}");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("downloaded", lines[0], StringComparison.Ordinal);
        Assert.Contains("2.0 KiB", lines[0], StringComparison.Ordinal);
        Assert.Equal("1 downloaded, 0 skipped, 0 failed", lines[^1]);
        Assert.DoesNotContain('\u001b', output);
    }

    [LinuxFact]
    public void SomeFailed_Exit1()
    {
        Uri a = Server.Serve("/a.bin", new ServedFile { Content = FetchTests.Bytes(10) });
        var (code, output, _) = CommandLineTests.Run($"fetch -o {Dir} {a} {Server.Url("/missing")}");
        Assert.Equal(1, code);
        Assert.Contains("HTTP 404", output, StringComparison.Ordinal);
        Assert.EndsWith("1 downloaded, 0 skipped, 1 failed", output.TrimEnd(), StringComparison.Ordinal);
    }

    [LinuxFact]
    public void Quiet_PrintsNothing_ButErrorsOnStandardError()
    {
        var (code, output, error) = CommandLineTests.Run($"fetch -q -o {Dir} {Server.Url("/missing")}");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("/missing: HTTP 404", error, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void Json_ReportsEveryFile()
    {
        byte[] content = FetchTests.Bytes(1000);
        Uri a = Server.Serve("/a.bin", new ServedFile { Content = content });
        File.WriteAllBytes(Path.Combine(Dir, "b.bin"), content);
        Uri b = Server.Serve("/b.bin", new ServedFile { Content = content });
        Uri missing = Server.Url("/missing");
        var (code, output, _) = CommandLineTests.Run($"fetch --json --retries 0 -o {Dir} {a} {b} {missing}");
        Assert.Equal(1, code);
        using JsonDocument report = JsonDocument.Parse(output);
        JsonElement root = report.RootElement;
        Assert.Equal(1, root.GetProperty("downloaded").GetInt32());
        Assert.Equal(1, root.GetProperty("skipped").GetInt32());
        Assert.Equal(1, root.GetProperty("failed").GetInt32());
        JsonElement[] files = [.. root.GetProperty("files").EnumerateArray()];
        Assert.Equal(a.AbsoluteUri, files[0].GetProperty("url").GetString());
        Assert.Equal("downloaded", files[0].GetProperty("status").GetString());
        Assert.Equal(Path.Combine(Dir, "a.bin"), files[0].GetProperty("path").GetString());
        Assert.Equal(1000, files[0].GetProperty("bytes").GetInt64());
        Assert.Equal(FetchTests.Sha256(content), files[0].GetProperty("sha256").GetString());
        Assert.False(files[0].GetProperty("resumed").GetBoolean());
        Assert.Equal(1, files[0].GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, files[0].GetProperty("error").ValueKind);
        Assert.Equal("skipped", files[1].GetProperty("status").GetString());
        Assert.Equal("failed", files[2].GetProperty("status").GetString());
        Assert.Contains("404", files[2].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [LinuxFact]
    public void InputFile_ListsTheUrls_CommentsAndBlankLinesIgnored()
    {
        Uri a = Server.Serve("/a.bin", new ServedFile { Content = FetchTests.Bytes(10, 1) });
        Uri b = Server.Serve("/b.bin", new ServedFile { Content = FetchTests.Bytes(10, 2) });
        string list = Path.Combine(Dir, "urls.txt");
        File.WriteAllText(list, $"# two files\n{a}\n\n  {b}  \n");
        var (code, _, _) = CommandLineTests.Run($"fetch -q -o {Path.Combine(Dir, "out")} -i {list}");
        Assert.Equal(0, code);
        Assert.Equal(["a.bin", "b.bin"], Directory.GetFiles(Path.Combine(Dir, "out")).Select(Path.GetFileName).Order());
    }

    [LinuxFact]
    public void InputDash_ReadsStandardInput()
    {
        Uri a = Server.Serve("/a.bin", new ServedFile { Content = FetchTests.Bytes(10) });
        var (code, _, _) = CommandLineTests.Run($"fetch -q -o {Dir} -i -", new StringReader($"{a}\n"));
        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(Dir, "a.bin")));
    }

    [LinuxFact]
    public void Manifest_Mismatch_Exit1_GoodFileKept()
    {
        byte[] a = FetchTests.Bytes(100, 1), b = FetchTests.Bytes(100, 2);
        Uri ua = Server.Serve("/a.bin", new ServedFile { Content = a });
        Uri ub = Server.Serve("/b.bin", new ServedFile { Content = b });
        string manifest = Path.Combine(Dir, "SHA256SUMS");
        File.WriteAllText(manifest, $"{FetchTests.Sha256(a)}  a.bin\n{FetchTests.Sha256(a)}  b.bin\n");
        string outDir = Path.Combine(Dir, "out");
        var (code, output, _) = CommandLineTests.Run($"fetch --manifest {manifest} -o {outDir} {ua} {ub}");
        Assert.Equal(1, code);
        Assert.Contains("sha256 mismatch", output, StringComparison.Ordinal);
        Assert.Equal(["a.bin"], Directory.GetFiles(outDir).Select(Path.GetFileName));
    }

    [LinuxFact]
    public void MissingInputOrManifest_IsAUsageError()
    {
        Assert.Equal(2, CommandLineTests.Run($"fetch -i {Path.Combine(Dir, "nope.txt")}").Code);
        Assert.Equal(2, CommandLineTests.Run($"fetch --manifest {Path.Combine(Dir, "nope")} http://127.0.0.1/x").Code);
    }
}
