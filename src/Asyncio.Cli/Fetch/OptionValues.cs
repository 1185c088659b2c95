using System.Globalization;

namespace Asyncio.Cli.Fetch;

/// <summary>The value syntaxes of <c>aio fetch</c>'s options: sizes (<c>100M</c>) and rates (<c>10/s</c>).</summary>
internal static class OptionValues
{
    /// <summary>
    /// Parses a size: bytes, or a number with <c>K</c>, <c>M</c>, <c>G</c> or <c>T</c> (powers of 1024; <c>KB</c>,
    /// <c>KiB</c> alike); null when it is not one.
    /// </summary>
    public static long? ParseSize(string text)
    {
        string s = text.Trim();
        if (s.EndsWith("iB", StringComparison.OrdinalIgnoreCase)) s = s[..^2];
        else if (s.EndsWith('B') || s.EndsWith('b')) s = s[..^1];
        int shift = s.Length == 0 ? 0 : char.ToUpperInvariant(s[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        if (shift > 0) s = s[..^1];
        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number)) return null;
        double bytes = Math.Floor(number * Math.Pow(2, shift));
        return bytes is >= 0 and <= long.MaxValue ? (long)bytes : null;
    }

    /// <summary>Parses a rate: <c>N</c> or <c>N/s</c> (per second), <c>N/m</c> (per minute), <c>N/h</c>; null otherwise.</summary>
    public static RequestRate? ParseRate(string text)
    {
        string[] parts = text.Trim().Split('/');
        if (parts.Length > 2) return null;
        double period = parts.Length == 1 ? 1 : parts[1].Trim().ToLowerInvariant() switch
        {
            "s" or "sec" or "second" => 1,
            "m" or "min" or "minute" => 60,
            "h" or "hour" => 3600,
            _ => double.NaN,
        };
        if (double.IsNaN(period)) return null;
        if (!double.TryParse(parts[0], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double count) || count <= 0
            || double.IsInfinity(count))
        {
            return null;
        }
        return new RequestRate(count, period);
    }

    /// <summary>A byte count for people: <c>1.5 MiB</c>.</summary>
    public static string FormatSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
