namespace Asyncio;

/// <summary>
/// The errors of a <see cref="TaskGroup"/>'s children (and body), in the order they happened. The
/// <see cref="CancelledError"/>s the group caused by cancelling are never part of it.
/// <para>asyncio: <c>ExceptionGroup('unhandled errors in a TaskGroup', [...])</c>.</para>
/// </summary>
public class ExceptionGroup : AggregateException
{
    /// <summary>A group of <paramref name="exceptions"/> with <paramref name="message"/>.</summary>
    /// <param name="message">The group's message.</param>
    /// <param name="exceptions">The members, in order.</param>
    public ExceptionGroup(string message, IEnumerable<Exception> exceptions) : base(message, exceptions) { }

    /// <summary>
    /// The members, in order (the same list as <see cref="AggregateException.InnerExceptions"/>).
    /// <para>asyncio: <c>ExceptionGroup.exceptions</c>.</para>
    /// </summary>
    public IReadOnlyList<Exception> Exceptions => InnerExceptions;
}
