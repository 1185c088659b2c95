namespace Asyncio;

/// <summary>
/// When <see cref="Aio.Wait{TFuture}(IEnumerable{TFuture}, double?, ReturnWhen)"/> returns.
/// <para>asyncio: <c>asyncio.FIRST_COMPLETED</c>, <c>FIRST_EXCEPTION</c>, <c>ALL_COMPLETED</c>.</para>
/// </summary>
public enum ReturnWhen
{
    /// <summary>When every future is done (the default). <para>asyncio: <c>ALL_COMPLETED</c>.</para></summary>
    AllCompleted,

    /// <summary>When any future is done. <para>asyncio: <c>FIRST_COMPLETED</c>.</para></summary>
    FirstCompleted,

    /// <summary>
    /// When any future ends with an exception (cancellation is not one), else when all are done.
    /// <para>asyncio: <c>FIRST_EXCEPTION</c>.</para>
    /// </summary>
    FirstException,
}
