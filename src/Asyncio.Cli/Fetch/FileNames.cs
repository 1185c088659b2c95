using System.Buffers;
using System.Globalization;
using System.Text;

namespace Asyncio.Cli.Fetch;

/// <summary>
/// Where a download may be written: the name a server suggests (<c>Content-Disposition</c>) or the URL's last path
/// segment, made safe. Pure functions, so every rule is a unit test.
/// </summary>
/// <remarks>
/// A safe name has no path parts (no <c>/</c> or <c>\</c>, so no <c>..</c> traversal), no control characters, none of
/// the characters Windows forbids, is not a reserved Windows device name (<c>CON</c>, <c>NUL.txt</c>, <c>COM1</c>),
/// does not end in a dot or a space, is not empty, and fits in <see cref="MaxNameBytes"/> UTF-8 bytes, leaving room
/// for the <c> (n)</c> and <c>.part.json</c> suffixes within the usual 255-byte limit of file systems.
/// </remarks>
internal static class FileNames
{
    /// <summary>The longest safe name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 200;

    /// <summary>The name given to a download that offers none (a URL ending in <c>/</c>, a name made of dots).</summary>
    public const string Fallback = "download";

    /// <summary>Windows's device names: a file called so (with any extension) opens the device.</summary>
    private static readonly HashSet<string> s_reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    /// <summary>Characters Windows refuses in names (besides the separators and control characters).</summary>
    private static readonly SearchValues<char> s_forbidden = SearchValues.Create("<>:\"|?*");

    /// <summary>The safe name for a download: <c>Content-Disposition</c>'s if it gives one, else the URL's.</summary>
    /// <param name="contentDisposition">The header's value, or null.</param>
    /// <param name="url">The URL asked for.</param>
    public static string Choose(string? contentDisposition, Uri url) =>
        Sanitise(FromContentDisposition(contentDisposition) ?? FromUrl(url));

    /// <summary>
    /// The file name a <c>Content-Disposition</c> header suggests, unsanitised: <c>filename*</c> (RFC 5987/8187,
    /// <c>UTF-8''na%C3%AFve.txt</c>) first, then <c>filename</c> (a token or a quoted string); null when neither
    /// is there or readable.
    /// </summary>
    public static string? FromContentDisposition(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        string? plain = null, extended = null;
        foreach ((string name, string value) in Parameters(header))
        {
            if (name.Equals("filename*", StringComparison.OrdinalIgnoreCase)) extended ??= DecodeExtended(value);
            else if (name.Equals("filename", StringComparison.OrdinalIgnoreCase)) plain ??= value;
        }
        return extended ?? (string.IsNullOrEmpty(plain) ? null : plain);
    }

    /// <summary>The URL path's last segment, percent-decoded; null when the path ends in <c>/</c>.</summary>
    public static string? FromUrl(Uri url)
    {
        string path = url.IsAbsoluteUri ? url.AbsolutePath : url.OriginalString;
        string last = path[(path.LastIndexOf('/') + 1)..];
        return last.Length == 0 ? null : Uri.UnescapeDataString(last);
    }

    /// <summary>Makes <paramref name="raw"/> a safe file name (see the class's remarks); never fails.</summary>
    public static string Sanitise(string? raw)
    {
        if (raw is null) return Fallback;
        // Only the last path part counts: "../../etc/passwd" is "passwd", "C:\x\y.txt" is "y.txt".
        raw = raw[(raw.LastIndexOfAny(['/', '\\']) + 1)..];
        var name = new StringBuilder(raw.Length);
        foreach (Rune rune in raw.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || rune.Value is 0x2028 or 0x2029 or 0xFEFF) continue;   // incl. C1, line separators, BOM
            name.Append(rune.IsBmp && s_forbidden.Contains((char)rune.Value) ? "_" : rune.ToString());
        }
        // Windows drops trailing dots and spaces (so "x." would be "x"); leading spaces are a trap for the eye.
        string result = name.ToString().Trim().TrimEnd('.', ' ');
        if (result.Length == 0 || result.All(c => c == '.')) return Fallback;
        string stem = result.Split('.')[0].TrimEnd(' ');
        if (s_reserved.Contains(stem)) result = "_" + result;
        return Shorten(result);
    }

    /// <summary>The <paramref name="n"/>th alternative to <paramref name="name"/>: <c>report (1).pdf</c>.</summary>
    public static string Numbered(string name, int n)
    {
        string extension = Path.GetExtension(name);
        if (extension.Length > 16 || extension.Length == name.Length) extension = "";   // ".bashrc" is all stem
        string stem = name[..^extension.Length];
        return Shorten($"{stem} ({n.ToString(CultureInfo.InvariantCulture)}){extension}", keepTail: extension.Length + 3 + n.ToString(CultureInfo.InvariantCulture).Length);
    }

    /// <summary>
    /// The full path of <paramref name="name"/> in <paramref name="directory"/>; throws if it would land anywhere
    /// else (a last defence: sanitised names never do).
    /// </summary>
    /// <exception cref="IOException">The name would leave <paramref name="directory"/>.</exception>
    public static string PathIn(string directory, string name)
    {
        string root = Path.GetFullPath(directory);
        string path = Path.GetFullPath(Path.Combine(root, name));
        if (!string.Equals(Path.GetDirectoryName(path), root.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            throw new IOException($"unsafe file name: {name}");
        }
        return path;
    }

    /// <summary>Cuts the stem so the name fits <see cref="MaxNameBytes"/>, keeping the extension (and a suffix).</summary>
    private static string Shorten(string name, int keepTail = -1)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxNameBytes) return name;
        if (keepTail < 0)
        {
            string extension = Path.GetExtension(name);
            keepTail = extension.Length <= 16 ? extension.Length : 0;
        }
        string tail = name[^keepTail..];
        int budget = MaxNameBytes - Encoding.UTF8.GetByteCount(tail);
        var head = new StringBuilder();
        foreach (Rune rune in name[..^keepTail].EnumerateRunes())   // whole runes: never half a surrogate pair
        {
            if (budget < rune.Utf8SequenceLength) break;
            budget -= rune.Utf8SequenceLength;
            head.Append(rune.ToString());
        }
        return head.ToString().TrimEnd('.', ' ') + tail;
    }

    /// <summary>The <c>name=value</c> parameters after the disposition type; quoted values unescaped.</summary>
    private static IEnumerable<(string Name, string Value)> Parameters(string header)
    {
        int i = header.IndexOf(';', StringComparison.Ordinal);
        while (i >= 0 && i < header.Length)
        {
            i++;
            int equals = header.IndexOf('=', i);
            if (equals < 0) yield break;
            string name = header[i..equals].Trim();
            i = equals + 1;
            while (i < header.Length && header[i] == ' ') i++;
            var value = new StringBuilder();
            if (i < header.Length && header[i] == '"')
            {
                for (i++; i < header.Length && header[i] != '"'; i++)
                {
                    if (header[i] == '\\' && i + 1 < header.Length) i++;
                    value.Append(header[i]);
                }
                i = header.IndexOf(';', Math.Min(i, header.Length));
            }
            else
            {
                int end = header.IndexOf(';', i);
                value.Append(header[i..(end < 0 ? header.Length : end)].Trim());
                i = end;
            }
            yield return (name, value.ToString());
        }
    }

    /// <summary>Decodes an RFC 5987 value <c>charset'language'percent-encoded</c>; null if malformed.</summary>
    private static string? DecodeExtended(string value)
    {
        string[] parts = value.Split('\'', 3);
        if (parts.Length != 3) return null;
        Encoding encoding;
        if (parts[0].Equals("UTF-8", StringComparison.OrdinalIgnoreCase)) encoding = new UTF8Encoding(false, throwOnInvalidBytes: true);
        else if (parts[0].Equals("ISO-8859-1", StringComparison.OrdinalIgnoreCase)) encoding = Encoding.Latin1;
        else return null;
        var bytes = new List<byte>();
        string text = parts[2];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length
                && byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
            {
                bytes.Add(b);
                i += 2;
            }
            else if (text[i] < 0x80)
            {
                bytes.Add((byte)text[i]);
            }
            else
            {
                return null;
            }
        }
        try
        {
            string decoded = encoding.GetString([.. bytes]);
            return decoded.Length == 0 ? null : decoded;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
