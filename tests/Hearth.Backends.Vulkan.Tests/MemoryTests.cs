using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Tests;

public class MemoryTests
{
    /// <summary>A model too large for the device fails at compile time, before any upload, saying what it needs and what there is.</summary>
    [VulkanFact]
    public void Too_little_device_memory_is_reported_with_needed_and_available_sizes()
    {
        using var device = new VulkanDevice();
        // A weight that claims more bytes than the device has; its data is never read because the check comes first.
        long rows = device.Info.DeviceLocalBytes / (4096 * 4) + 16;
        var keep = GC.AllocateArray<byte>(16, pinned: true);
        var huge = new HostTensor("huge", TensorType.F32, new Shape((int)rows, 4096),
            System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(keep, 0), rows * 4096 * 4, keep);
        var g = new ComputeGraph();
        var x = g.Weight(TestTensors.F32("x", new float[4096], 1, 4096));
        g.MarkOutput(g.MatMul("y", x, g.Weight(huge)));
        var e = Assert.Throws<HearthException>(() => device.Compile(g));
        Assert.Contains("not enough memory on Vulkan device", e.Message, StringComparison.Ordinal);
        Assert.Contains("MiB of weights", e.Message, StringComparison.Ordinal);
        Assert.Contains("is free", e.Message, StringComparison.Ordinal);
    }
}
