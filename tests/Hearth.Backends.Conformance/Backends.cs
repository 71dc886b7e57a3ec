using Hearth.Backends.Cpu;
using Hearth.Compute;

namespace Hearth.Backends.Conformance;

/// <summary>The backends under test: every registered backend except the oracle cpu-ref. GPU backends join by registering here.</summary>
public static class Backends
{
    public const string Oracle = CpuBackends.ReferenceName;

    public static IReadOnlyList<string> UnderTest()
    {
        CpuBackends.Register();
        return [.. BackendRegistry.Names.Where(n => !string.Equals(n, Oracle, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)];
    }

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in UnderTest()) data.Add(name);
        return data;
    }

    public static IComputeDevice Create(string name)
    {
        CpuBackends.Register();
        return BackendRegistry.Create(name);
    }
}
