namespace Asyncio.Orleans;

/// <summary>A job's result with where and how long it ran (<see cref="OrleansExecutor.SubmitWithSilo{TArg, TResult}"/>).</summary>
/// <typeparam name="T">The result type.</typeparam>
/// <param name="Result">The job's result.</param>
/// <param name="Silo">The silo that ran it: its name and endpoint, e.g. <c>silo-1 at 127.0.0.1:11111</c>.</param>
/// <param name="Elapsed">How long the job ran on the silo (without the trip there and back).</param>
public sealed record ClusterJobResult<T>(T Result, string Silo, TimeSpan Elapsed);
