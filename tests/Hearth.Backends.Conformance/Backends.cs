using Hearth.Backends.Cpu;
using Hearth.Backends.Vulkan;
using Hearth.Compute;

namespace Hearth.Backends.Conformance;

/// <summary>The backends under test: every registered backend except the oracle cpu-ref. GPU backends join by registering here.</summary>
public static class Backends
{
    public const string Oracle = CpuBackends.ReferenceName;

    public static IReadOnlyList<string> UnderTest()
    {
        RegisterAll();
        return [.. BackendRegistry.Names.Where(n => !string.Equals(n, Oracle, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// CPU backends always; "vulkan" when a Vulkan loader and device exist (on CI: Mesa's lavapipe, installed by
    /// tools/run-tests.sh). lavapipe runs shaders on CPU threads: one thread keeps the 2-core test machines usable.
    /// </summary>
    private static void RegisterAll()
    {
        CpuBackends.Register();
        if (Environment.GetEnvironmentVariable("LP_NUM_THREADS") is null) Environment.SetEnvironmentVariable("LP_NUM_THREADS", "1");
        // HEARTH_REQUIRE_VULKAN=1 (tools/run-tests.sh): the suite must cover Vulkan, so a missing device is an error
        // rather than a quietly shorter list of backends.
        if (!VulkanBackends.RegisterIfAvailable(out var problem) && Environment.GetEnvironmentVariable("HEARTH_REQUIRE_VULKAN") == "1")
            throw new InvalidOperationException($"HEARTH_REQUIRE_VULKAN=1 but no Vulkan device: {problem}");
    }

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in UnderTest()) data.Add(name);
        return data;
    }

    public static IComputeDevice Create(string name)
    {
        RegisterAll();
        return BackendRegistry.Create(name);
    }
}
