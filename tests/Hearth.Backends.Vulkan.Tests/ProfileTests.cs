using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Tests;

public class ProfileTests
{
    [VulkanFact]
    public void Profiling_times_every_dispatch_within_the_step()
    {
        using var device = new VulkanDevice(new VulkanDeviceOptions { Profile = true });
        if (device.Context.TimestampValidBits == 0) return;  // a queue without timestamps: nothing to measure
        var random = new Random(2);
        var w = TestTensors.Q8_0("w", random, 64, 256);
        var g = new ComputeGraph();
        var x = g.Weight(TestTensors.F32("x", TestTensors.Random(random, 2 * 256), 2, 256));
        var weight = g.Weight(w);
        var y = g.SiluMul("act", g.MatMul("proj", x, weight), g.Scale("half", g.MatMul("proj2", x, weight), 0.5f));
        g.MarkOutput(y);
        using var exe = (VulkanExecutable)device.Compile(g);
        exe.Run();
        var times = exe.DispatchTimes;
        Assert.Equal(["proj (matvec_q8_0)", "proj2 (matvec_q8_0)", "half (scale)", "act (silu_mul)"], times.Select(t => t.Label));
        Assert.All(times, t => Assert.True(t.Milliseconds >= 0));
        Assert.True(times.Sum(t => t.Milliseconds) <= exe.LastGpuMilliseconds + 1e-6);
    }
}
