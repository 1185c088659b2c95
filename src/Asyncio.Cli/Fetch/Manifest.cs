using System.Globalization;

namespace Asyncio.Cli.Fetch;

/// <summary>
/// Expected SHA-256 digests by file name, read from a file in <c>sha256sum</c>'s format: one <c>HEX  NAME</c> per
/// line (<c>HEX *NAME</c> in binary mode; blank lines and <c>#</c> comments ignored).
/// </summary>
internal static class Manifest
{
    /// <summary>Parses the manifest's text; throws <see cref="FormatException"/> naming the first bad line.</summary>
    public static Dictionary<string, string> Parse(string text)
    {
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string hex = space < 0 ? line : line[..space];
            string name = space < 0 ? "" : line[(space + 1)..];
            if (name.StartsWith(' ') || name.StartsWith('*')) name = name[1..];
            if (!IsSha256(hex) || name.Length == 0)
            {
                throw new FormatException($"line {(i + 1).ToString(CultureInfo.InvariantCulture)}: expected \"SHA256  NAME\": {line}");
            }
            digests[Path.GetFileName(name)] = hex.ToLowerInvariant();
        }
        return digests;
    }

    /// <summary>True for 64 hexadecimal digits.</summary>
    public static bool IsSha256(string hex) => hex.Length == 64 && hex.All(char.IsAsciiHexDigit);
}
