using System.Text;
using Asyncio.Cli.Fetch;

namespace Asyncio.Tests.Cli;

/// <summary>
/// The pure parts of <c>aio fetch</c>: safe file names (from Content-Disposition and URLs), numbered alternatives,
/// the manifest, sizes and rates, the backoff.
/// </summary>
public class FetchNamesTests
{
    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("..\\..\\Windows\\system.ini", "system.ini")]
    [InlineData("/absolute/path.txt", "path.txt")]
    [InlineData("dir/", "download")]
    [InlineData("..", "download")]
    [InlineData("...", "download")]
    [InlineData("", "download")]
    [InlineData("   ", "download")]
    public void Sanitise_KeepsOnlyTheLastPathPart_NeverDotsOrEmpty(string raw, string expected) =>
        Assert.Equal(expected, FileNames.Sanitise(raw));

    [Theory]
    [InlineData("CON", "_CON")]
    [InlineData("con.txt", "_con.txt")]
    [InlineData("NUL", "_NUL")]
    [InlineData("LPT1", "_LPT1")]
    [InlineData("COM1.tar.gz", "_COM1.tar.gz")]
    [InlineData("aux .txt", "_aux .txt")]
    [InlineData("CONSOLE.txt", "CONSOLE.txt")]
    [InlineData("icon.png", "icon.png")]
    public void Sanitise_PrefixesReservedWindowsDeviceNames(string raw, string expected) =>
        Assert.Equal(expected, FileNames.Sanitise(raw));

    [Theory]
    [InlineData("a\u0000b\u001Fc\u007Fd.txt", "abcd.txt")]
    [InlineData("line\nbreak\r.txt", "linebreak.txt")]
    [InlineData("c1\u0085\u009Bcontrol.txt", "c1control.txt")]
    [InlineData("bidi\u2028sep.txt", "bidisep.txt")]
    [InlineData("\u001B[31mred.txt", "[31mred.txt")]
    public void Sanitise_DropsControlCharacters(string raw, string expected) =>
        Assert.Equal(expected, FileNames.Sanitise(raw));

    [Theory]
    [InlineData("a<b>c:d\"e|f?g*h", "a_b_c_d_e_f_g_h")]
    [InlineData("file.txt. . ", "file.txt")]
    [InlineData("  spaced.txt", "spaced.txt")]
    [InlineData("naïve café.txt", "naïve café.txt")]
    public void Sanitise_ReplacesWindowsForbiddenCharacters_AndTrims(string raw, string expected) =>
        Assert.Equal(expected, FileNames.Sanitise(raw));

    [Fact]
    public void Sanitise_LongName_IsCutToTheLimit_KeepingTheExtension()
    {
        string name = FileNames.Sanitise(new string('a', 300) + ".txt");
        Assert.Equal(FileNames.MaxNameBytes, Encoding.UTF8.GetByteCount(name));
        Assert.EndsWith("a.txt", name, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitise_LongMultiByteName_IsCutAtCharacterBoundaries()
    {
        string name = FileNames.Sanitise(string.Concat(Enumerable.Repeat("é😀", 100)) + ".bin");
        Assert.True(Encoding.UTF8.GetByteCount(name) <= FileNames.MaxNameBytes);
        Assert.EndsWith(".bin", name, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(name)));   // no half surrogate
    }

    [Theory]
    [InlineData("attachment; filename*=UTF-8''na%C3%AFve.txt", "naïve.txt")]
    [InlineData("attachment; filename=\"fallback.txt\"; filename*=UTF-8''na%C3%AFve.txt", "naïve.txt")]
    [InlineData("attachment; filename*=utf-8'en'%E2%82%AC%20rates.txt; filename=\"EUR rates.txt\"", "€ rates.txt")]
    [InlineData("attachment; filename*=iso-8859-1'en'%A3%20rates.txt", "£ rates.txt")]
    [InlineData("attachment; filename=\"plain.txt\"", "plain.txt")]
    [InlineData("attachment; filename=token.txt", "token.txt")]
    [InlineData("attachment; filename=\"a \\\"quoted\\\" name.txt\"", "a \"quoted\" name.txt")]
    [InlineData("attachment; filename*=UTF-8''%FF%FE; filename=\"bad-utf8-falls-back.txt\"", "bad-utf8-falls-back.txt")]
    [InlineData("attachment; filename*=KOI8-R''x.txt; filename=\"unknown-charset.txt\"", "unknown-charset.txt")]
    public void FromContentDisposition_PrefersFilenameStar_ThenFilename(string header, string expected) =>
        Assert.Equal(expected, FileNames.FromContentDisposition(header));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("inline")]
    [InlineData("attachment")]
    [InlineData("attachment; filename=\"\"")]
    public void FromContentDisposition_WithoutAName_IsNull(string? header) =>
        Assert.Null(FileNames.FromContentDisposition(header));

    [Theory]
    [InlineData("attachment; filename=\"../../etc/passwd\"", "http://h/x", "passwd")]
    [InlineData("attachment; filename*=UTF-8''..%2F..%2Fevil.sh", "http://h/x", "evil.sh")]
    [InlineData(null, "http://h/dir/report%20final.pdf?x=1#top", "report final.pdf")]
    [InlineData(null, "http://h/a/..%2F..%2Fetc%2Fpasswd", "passwd")]
    [InlineData(null, "http://h/", "download")]
    [InlineData(null, "http://h/CON", "_CON")]
    public void Choose_SanitisesWhateverTheServerOrUrlSuggests(string? header, string url, string expected) =>
        Assert.Equal(expected, FileNames.Choose(header, new Uri(url)));

    [Theory]
    [InlineData("a.bin", 1, "a (1).bin")]
    [InlineData("report.pdf", 12, "report (12).pdf")]
    [InlineData("README", 2, "README (2)")]
    [InlineData(".bashrc", 1, ".bashrc (1)")]
    public void Numbered_AddsTheNumberBeforeTheExtension(string name, int n, string expected) =>
        Assert.Equal(expected, FileNames.Numbered(name, n));

    [Fact]
    public void Numbered_LongName_StaysWithinTheLimit()
    {
        string name = FileNames.Sanitise(new string('x', 300) + ".iso");
        string numbered = FileNames.Numbered(name, 7);
        Assert.True(Encoding.UTF8.GetByteCount(numbered) <= FileNames.MaxNameBytes);
        Assert.EndsWith(" (7).iso", numbered, StringComparison.Ordinal);
    }

    [Fact]
    public void PathIn_StaysInTheDirectory_AndRefusesEscapes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "aio-fetch-names");
        Assert.Equal(Path.Combine(Path.GetFullPath(dir), "a.bin"), FileNames.PathIn(dir, "a.bin"));
        Assert.Throws<IOException>(() => FileNames.PathIn(dir, "../a.bin"));
        Assert.Throws<IOException>(() => FileNames.PathIn(dir, "sub/a.bin"));
    }

    [Fact]
    public void Manifest_ReadsSha256sumFormat_TextAndBinaryModes()
    {
        string a = new('a', 64), b = new('B', 64);
        var digests = Manifest.Parse($"# checksums\n{a}  a.bin\r\n\n{b} *dir/b.bin\n");
        Assert.Equal(2, digests.Count);
        Assert.Equal(a, digests["a.bin"]);
        Assert.Equal(new string('b', 64), digests["b.bin"]);
    }

    [Theory]
    [InlineData("abc  a.bin")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public void Manifest_BadLine_IsAFormatErrorNamingTheLine(string line)
    {
        var error = Assert.Throws<FormatException>(() => Manifest.Parse("\n" + line));
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100", 100L)]
    [InlineData("10M", 10L << 20)]
    [InlineData("1.5K", 1536L)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("3kb", 3072L)]
    [InlineData("x", null)]
    [InlineData("-1", null)]
    public void ParseSize_ReadsBytesAndBinaryUnits(string text, long? expected) =>
        Assert.Equal(expected, OptionValues.ParseSize(text));

    [Theory]
    [InlineData("5", 5, 1)]
    [InlineData("5/s", 5, 1)]
    [InlineData("120/m", 120, 60)]
    [InlineData("0.5/s", 0.5, 1)]
    [InlineData("10/h", 10, 3600)]
    public void ParseRate_ReadsCountPerPeriod(string text, double count, double period) =>
        Assert.Equal(new RequestRate(count, period), OptionValues.ParseRate(text));

    [Theory]
    [InlineData("0")]
    [InlineData("5/x")]
    [InlineData("fast")]
    [InlineData("1/s/s")]
    public void ParseRate_RejectsOtherText(string text) => Assert.Null(OptionValues.ParseRate(text));

    [Fact]
    public void Backoff_DoublesWithEachRetry_WithJitter_UpToTheCap()
    {
        var policy = new RetryPolicy(BaseSeconds: 1, CapSeconds: 10);
        Assert.Equal(0.5, policy.Delay(1, null, random: 0));
        Assert.Equal(1.0, policy.Delay(1, null, random: 0.999999), 3);
        Assert.Equal(2.0, policy.Delay(3, null, random: 0));
        Assert.Equal(10.0, policy.Delay(10, null, random: 0.999999), 3);
    }

    [Fact]
    public void Backoff_HonoursRetryAfter_Capped()
    {
        var policy = new RetryPolicy(BaseSeconds: 1, CapSeconds: 10);
        Assert.Equal(7.0, policy.Delay(1, TimeSpan.FromSeconds(7), random: 0));
        Assert.Equal(10.0, policy.Delay(1, TimeSpan.FromHours(1), random: 0));
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(404, false)]
    [InlineData(403, false)]
    public void TransientStatuses_Are408_429_And5xx(int status, bool transient) =>
        Assert.Equal(transient, RetryPolicy.IsTransient(status));
}
