namespace Asyncio;

/// <summary>
/// What <see cref="Aio.Wait{TFuture}(IEnumerable{TFuture}, double?, ReturnWhen)"/> returns: the futures that
/// are done and those still pending (the original objects). Deconstructs: <c>var (done, pending) = await Aio.Wait(...)</c>.
/// <para>asyncio: the <c>(done, pending)</c> tuple of sets.</para>
/// </summary>
/// <typeparam name="TFuture">The future or task type.</typeparam>
/// <param name="Done">The futures that are done.</param>
/// <param name="Pending">The futures still pending.</param>
public readonly record struct WaitResult<TFuture>(IReadOnlySet<TFuture> Done, IReadOnlySet<TFuture> Pending)
    where TFuture : Future;
