using Hearth.Backends.Cpu;
using Hearth.Backends.Vulkan;
using Hearth.Core;

namespace Hearth.Runtime;

/// <summary>A resolved <c>--device</c>: the backend name to create (e.g. "cpu", "vulkan:1") and, for "auto", what was chosen and why.</summary>
public sealed record DeviceChoice(string Backend, string? Note);

/// <summary>Turns <c>--device cpu|vulkan[:N]|auto</c> into a backend name for <see cref="HearthModelOptions.Backend"/>.</summary>
public static class DeviceSelection
{
    public const string Usage = "cpu, cpu-ref, vulkan, vulkan:N or auto";

    /// <summary>
    /// "auto" picks the first Vulkan GPU (a software driver such as lavapipe is slower than the cpu backend, so it is
    /// never picked) and otherwise falls back to "cpu", saying why in <see cref="DeviceChoice.Note"/>.
    /// </summary>
    public static DeviceChoice Resolve(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string s = spec.Trim().ToLowerInvariant();
        if (s is CpuBackends.FastName or CpuBackends.ReferenceName) return new DeviceChoice(s, null);
        if (s == VulkanBackends.Name) return new DeviceChoice(s, null);
        if (s.StartsWith(VulkanBackends.Name + ":", StringComparison.Ordinal))
        {
            if (!int.TryParse(s.AsSpan(VulkanBackends.Name.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
                throw new HearthException($"--device '{spec}': expected {Usage}");
            return new DeviceChoice($"{VulkanBackends.Name}:{index}", null);
        }
        if (s != "auto") throw new HearthException($"--device '{spec}': expected {Usage}");
        if (!VulkanBackends.TryListDevices(out var devices, out var problem))
            return new DeviceChoice(CpuBackends.FastName, $"--device auto: no Vulkan ({problem}); using cpu");
        var gpu = devices.FirstOrDefault(d => d.IsGpu && d.SubgroupArithmetic);
        return gpu is null
            ? new DeviceChoice(CpuBackends.FastName, $"--device auto: no Vulkan GPU (found {string.Join(", ", devices.Select(d => $"{d.Name} ({d.Kind})"))}); using cpu")
            : new DeviceChoice($"{VulkanBackends.Name}:{gpu.Index}", $"--device auto: using Vulkan device {gpu.Index}, {gpu.Name}");
    }
}
