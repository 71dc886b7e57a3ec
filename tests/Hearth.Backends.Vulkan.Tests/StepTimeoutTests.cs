using Hearth.Backends.Vulkan.Interop;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan.Tests;

/// <summary>A step that does not finish within the device's StepTimeout is a named error, not an endless wait.</summary>
public class StepTimeoutTests
{
    [VulkanFact]
    public void A_step_past_the_timeout_is_reported_as_a_hung_device_and_the_graph_recovers_once_it_finished()
    {
        // 100 ns is far less than any real step takes, so the wait runs out as it would on a hung GPU.
        using var device = new VulkanDevice(new VulkanDeviceOptions { StepTimeout = TimeSpan.FromTicks(1) });
        var random = new Random(8);
        var g = new ComputeGraph();
        var x = g.Weight(TestTensors.F32("x", TestTensors.Random(random, 16 * 1024), 16, 1024));
        var y = g.MatMul("y", x, g.Weight(TestTensors.Q8_0("w", random, 1024, 1024)));
        g.MarkOutput(y);
        using var exe = (VulkanExecutable)device.Compile(g);

        var error = Assert.Throws<VulkanException>(exe.Run);
        Assert.True(error.IsTimeout);
        Assert.Contains("did not finish a submission within 0 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("hung", error.Message, StringComparison.Ordinal);
        // Right after, the step still runs (or a new one times out again): either way a named error, never a wait.
        var again = Assert.ThrowsAny<HearthException>(exe.Run);
        Assert.Contains("hung", again.Message, StringComparison.Ordinal);
        // Once the work is done the graph may run again (here it times out again: the limit is 100 ns).
        Assert.True(exe.WaitForPendingStep(TimeSpan.FromMinutes(2)), "the step finishes on lavapipe");
        Assert.True(Assert.Throws<VulkanException>(exe.Run).IsTimeout);
        Assert.True(exe.WaitForPendingStep(TimeSpan.FromMinutes(2)));
    }

    [VulkanFact]
    public void A_timeout_that_is_not_positive_is_refused()
    {
        var e = Assert.Throws<HearthException>(() => new VulkanDevice(new VulkanDeviceOptions { StepTimeout = TimeSpan.Zero }));
        Assert.Contains("StepTimeout", e.Message, StringComparison.Ordinal);
    }
}
