namespace Asyncio.Tests;

/// <summary>Tests that measure the whole process's memory, run alone so other tests' allocations do not blur them.</summary>
[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;
