using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Asyncio.Tests.Selectors;

/// <summary>
/// The socket, transport, stream and reader/writer tests, written once against the I/O selector in effect
/// (<see cref="SelectorLoops.NewEpoll"/>), run again here on the portable selector: the same behaviours must
/// hold on both. Each case is one test method (with one row of its data), found by reflection and run under
/// <see cref="SelectorLoops.Use"/>.
/// </summary>
public class PortableSelectorParityTests
{
    public static TheoryData<string> Cases() => PortableParity.Cases(measured: false);

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheSameTest_PassesOnThePortableSelector(string test) => PortableParity.Run(test);
}

/// <summary>
/// The parity cases that count the process's descriptors, run alone with the other whole-process measurements.
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class PortableSelectorMeasuredParityTests
{
    public static TheoryData<string> Cases() => PortableParity.Cases(measured: true);

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheSameMeasuredTest_PassesOnThePortableSelector(string test) => PortableParity.Run(test);
}

/// <summary>Finds the I/O tests and runs one of them on the portable selector.</summary>
internal static class PortableParity
{
    /// <summary>The test classes' namespaces whose tests take their loop from <see cref="SelectorLoops.NewEpoll"/>.</summary>
    private static readonly string[] s_namespaces =
        ["Asyncio.Tests.Sockets", "Asyncio.Tests.Transports", "Asyncio.Tests.Streams", "Asyncio.Tests.Datagrams"];

    /// <summary>Test classes of those folders run here too, beyond the folders' own.</summary>
    private static readonly Type[] s_extraClasses = [typeof(ReaderWriterTests), typeof(DescriptorLeakTests), typeof(IoDispatchTests)];

    /// <summary>Tests that check what only epoll does, with the reason.</summary>
    private static readonly Dictionary<string, string> s_epollOnly = new()
    {
        ["ReaderWriterTests.AddReader_Refuses_ANegativeDescriptor_AClosedOne_AndAClosedLoop"] =
            "a bare closed descriptor: the portable selector refuses every bare number with NotSupportedException (tested below)",
        ["ReaderWriterTests.RemoveReader_AfterTheSocketWasClosed_ForgetsIt"] =
            "registers by bare descriptor number",
        ["DescriptorLeakTests.AnIteration_WithADescriptorReadyEveryTime_AllocatesNothing"] =
            "Socket.Select allocates per call on some platforms; the no-allocation promise is epoll's",
        ["ScaleTests.TenThousandIdleConnections_AreHeld_ThenAllCloseWithoutADescriptorLeak"] =
            "Socket.Select refuses sets that large (EINVAL on Linux): holding 10,000 connections is epoll's",
    };

    /// <summary>
    /// The tests with no loop at all (a reader fed by hand), and those that already run on each selector (a theory
    /// over <see cref="SelectorLoops.WithIo"/>): nothing to run again here.
    /// </summary>
    private static readonly Type[] s_withoutSelector =
    [
        typeof(Streams.StreamReaderTests),
        typeof(Sockets.LoopSocketStreamTests), typeof(Sockets.LoopSocketStreamThreadTests), typeof(Sockets.LoopSocketStreamLifetimeTests),
        typeof(Sockets.LoopSocketStreamConnectTests), typeof(Sockets.LoopSocketStreamFaultTests), typeof(Sockets.LoopSocketStreamInlineTests),
    ];

    private static readonly Lazy<Dictionary<string, (MethodInfo Method, object?[] Arguments, bool Measured)>> s_cases = new(Discover);

    public static TheoryData<string> Cases(bool measured)
    {
        var data = new TheoryData<string>();
        foreach (var (name, test) in s_cases.Value)
        {
            if (test.Measured == measured) data.Add(name);
        }
        return data;
    }

    public static void Run(string name)
    {
        var (method, arguments, _) = s_cases.Value[name];
        if (method.GetCustomAttribute<FactAttribute>()?.Skip is not null) return;
        object? instance = Activator.CreateInstance(method.DeclaringType!);
        try
        {
            using (SelectorLoops.Use("portable"))
            {
                object? result = method.Invoke(instance, arguments);
                if (result is Task task) task.GetAwaiter().GetResult();
            }
        }
        catch (TargetInvocationException error) when (error.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(error.InnerException);
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }

    private static Dictionary<string, (MethodInfo, object?[], bool)> Discover()
    {
        var cases = new Dictionary<string, (MethodInfo, object?[], bool)>();
        IEnumerable<Type> classes = typeof(PortableParity).Assembly.GetTypes()
            .Where(type => type.IsPublic && !type.IsAbstract && s_namespaces.Contains(type.Namespace))
            .Concat(s_extraClasses)
            .Except(s_withoutSelector);
        foreach (Type type in classes)
        {
            bool measured = type.GetCustomAttribute<CollectionAttribute>() is not null;
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FactAttribute>() is null) continue;
                string name = $"{type.Name}.{method.Name}";
                if (s_epollOnly.ContainsKey(name)) continue;
                var rows = method.GetCustomAttributes<Xunit.Sdk.DataAttribute>().SelectMany(data => data.GetData(method)).ToList();
                if (rows.Count == 0) cases.Add(name, (method, [], measured));
                foreach (object?[] row in rows) cases.Add($"{name}({string.Join(", ", row)})", (method, row, measured));
            }
        }
        return cases;
    }
}
