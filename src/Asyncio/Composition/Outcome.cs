using System.Runtime.ExceptionServices;

namespace Asyncio;

/// <summary>
/// One slot of <see cref="Aio.GatherResults{T}(Coroutine{T}[])"/>: the child's result or the exception it
/// ended with (a <see cref="CancelledError"/> for a cancelled child).
/// <para>asyncio: an item of <c>gather(..., return_exceptions=True)</c>'s list.</para>
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
public readonly struct Outcome<T>
{
    private readonly T _value;

    /// <summary>The exception, or null when the child returned a value.</summary>
    public Exception? Exception { get; }

    /// <summary>A successful outcome.</summary>
    /// <param name="value">The result.</param>
    public Outcome(T value)
    {
        _value = value;
        Exception = null;
    }

    /// <summary>A failed outcome.</summary>
    /// <param name="exception">The exception.</param>
    public Outcome(Exception exception)
    {
        _value = default!;
        Exception = exception ?? throw new ArgumentNullException(nameof(exception));
    }

    /// <summary>True when the child returned a value.</summary>
    public bool IsSuccess => Exception is null;

    /// <summary>The result; throws the stored exception when the child failed.</summary>
    public T Value
    {
        get
        {
            if (Exception is not null) ExceptionDispatchInfo.Throw(Exception);
            return _value;
        }
    }

    /// <summary>The outcome of a done future (marks its exception as retrieved).</summary>
    internal static Outcome<T> Of(Future future)
    {
        Exception? error = GatheringFuture<object>.TakeFailure(future);
        return error is null ? new Outcome<T>(Awaitable<T>.ResultOf(future)) : new Outcome<T>(error);
    }

    /// <inheritdoc/>
    public override string ToString() => Exception is null ? PyRepr.Value(_value) : $"{Exception.GetType().Name}('{Exception.Message}')";
}
