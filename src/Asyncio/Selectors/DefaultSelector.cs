namespace Asyncio;

/// <summary>The selectors a loop can wait in.</summary>
internal enum SelectorKind
{
    /// <summary><see cref="WaitSelector"/>: a monitor wait, no descriptors.</summary>
    Wait,

    /// <summary><see cref="EpollSelector"/>: Linux's epoll, with readers and writers.</summary>
    Epoll,

    /// <summary><see cref="SelectSelector"/>: <c>Socket.Select</c> on any OS, with readers and writers of sockets.</summary>
    Portable,
}

/// <summary>
/// Chooses the selector of new loops (asyncio: <c>selectors.DefaultSelector</c>): epoll on Linux, the portable
/// <see cref="SelectSelector"/> elsewhere. The environment variable <c>AIO_SELECTOR</c> (<c>wait</c>,
/// <c>epoll</c> or <c>portable</c>), read once per process, overrides the choice.
/// </summary>
internal static class DefaultSelector
{
    /// <summary>The kind new loops get.</summary>
    public static SelectorKind Kind { get; } = Choose(Environment.GetEnvironmentVariable("AIO_SELECTOR"));

    /// <summary>A new selector of the default kind.</summary>
    public static ISelector Create() => Create(Kind);

    /// <summary>A new selector of <paramref name="kind"/>.</summary>
    /// <exception cref="PlatformNotSupportedException">epoll asked for off Linux.</exception>
    public static ISelector Create(SelectorKind kind)
    {
        if (kind == SelectorKind.Wait) return new WaitSelector();
        if (kind == SelectorKind.Portable) return new SelectSelector();
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("The epoll selector needs Linux.");
        return new EpollSelector();
    }

    private static SelectorKind Choose(string? setting) => setting?.Trim().ToUpperInvariant() switch
    {
        "WAIT" => SelectorKind.Wait,
        "EPOLL" => SelectorKind.Epoll,
        "PORTABLE" => SelectorKind.Portable,
        _ => OperatingSystem.IsLinux() ? SelectorKind.Epoll : SelectorKind.Portable,
    };
}
