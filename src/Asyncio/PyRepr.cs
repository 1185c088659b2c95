using System.Globalization;

namespace Asyncio;

/// <summary>
/// Numbers in reprs and messages, printed as Python prints them whatever the current culture: a floating-point
/// value as <c>repr(float)</c>, anything else formattable with the invariant culture. One place, so every
/// <c>ToString</c> in the library agrees (a German culture would otherwise print <c>when=10,5</c>).
/// <para>asyncio: the <c>{value!r}</c> and <c>%.3f</c> of its <c>__repr__</c> methods and log messages.</para>
/// </summary>
internal static class PyRepr
{
    /// <summary>
    /// Python's <c>repr(float)</c>: the shortest digits that read back as the same value, always with a <c>.0</c>
    /// or an exponent (<c>10.0</c>, <c>0.1</c>, <c>1000000000000000.0</c>, <c>1e+16</c>, <c>1e-05</c>,
    /// <c>-0.0</c>, <c>inf</c>, <c>nan</c>).
    /// </summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        return FromRoundTrip(Math.Abs(value).ToString("R", CultureInfo.InvariantCulture), double.IsNegative(value));
    }

    /// <summary><see cref="Float(double)"/> for a <see cref="float"/>: its own shortest digits, not its widened double's.</summary>
    public static string Float(float value)
    {
        if (float.IsNaN(value)) return "nan";
        if (float.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        return FromRoundTrip(Math.Abs(value).ToString("R", CultureInfo.InvariantCulture), float.IsNegative(value));
    }

    /// <summary>Python's <c>'%.3f' % value</c> (also <c>f'{value:.3f}'</c>): three decimals, a point.</summary>
    public static string Fixed3(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>Python's <c>f'{value:f}'</c>: six decimals, a point.</summary>
    public static string Fixed6(double value) => value.ToString("F6", CultureInfo.InvariantCulture);

    /// <summary>
    /// A value in a repr: floating-point values as <see cref="Float(double)"/>, other formattable values with the
    /// invariant culture, the rest by their own <c>ToString</c>; null as an empty string.
    /// </summary>
    public static string Value(object? value) => value switch
    {
        double d => Float(d),
        float f => Float(f),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };

    /// <summary>
    /// Rewrites .NET's shortest round-trip text of a finite, non-negative value (<c>123.45</c>, <c>1E+16</c>,
    /// <c>1.5E-05</c>) the way Python's <c>float_repr_style = 'short'</c> does: positional notation while the decimal
    /// point falls within 16 digits to the left and 4 to the right, scientific with a two-digit exponent otherwise.
    /// </summary>
    private static string FromRoundTrip(string roundTrip, bool negative)
    {
        int e = roundTrip.IndexOfAny(['E', 'e']);
        string mantissa = e < 0 ? roundTrip : roundTrip[..e];
        int exponent = e < 0 ? 0 : int.Parse(roundTrip.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.');
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        // The value is 0.DIGITS x 10^decimalPoint (Python's "decpt").
        int decimalPoint = (dot < 0 ? mantissa.Length : dot) + exponent;
        int leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0') leadingZeros++;
        digits = digits[leadingZeros..].TrimEnd('0');
        decimalPoint -= leadingZeros;
        if (digits.Length == 0)
        {
            digits = "0";
            decimalPoint = 1;
        }
        string text;
        if (decimalPoint > 16 || decimalPoint < -3)
        {
            int power = decimalPoint - 1;
            string fraction = digits.Length > 1 ? "." + digits[1..] : "";
            text = $"{digits[0]}{fraction}e{(power < 0 ? '-' : '+')}{Math.Abs(power).ToString("00", CultureInfo.InvariantCulture)}";
        }
        else if (decimalPoint <= 0)
        {
            text = "0." + new string('0', -decimalPoint) + digits;
        }
        else if (decimalPoint >= digits.Length)
        {
            text = digits + new string('0', decimalPoint - digits.Length) + ".0";
        }
        else
        {
            text = digits[..decimalPoint] + "." + digits[decimalPoint..];
        }
        return negative ? "-" + text : text;
    }
}
