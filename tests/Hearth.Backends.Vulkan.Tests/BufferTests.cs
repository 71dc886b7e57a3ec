using System.Runtime.InteropServices;

namespace Hearth.Backends.Vulkan.Tests;

public class BufferTests
{

    [VulkanFact]
    public void Device_and_host_buffers_round_trip()
    {
        using var device = new VulkanDevice();
        var context = device.Context;
        var data = new byte[10_000];
        new Random(3).NextBytes(data);
        foreach (var place in new[] { BufferPlace.Device, BufferPlace.Host })
        {
            using var buffer = context.CreateBuffer(data.Length + 100, place, "test");
            buffer.Write(100, data);
            var back = new byte[data.Length];
            buffer.Read(100, back);
            Assert.Equal(data, back);
        }
    }

    [VulkanFact]
    public void A_buffer_larger_than_the_storage_buffer_range_round_trips_at_both_ends()
    {
        using var device = new VulkanDevice();
        var context = device.Context;
        long size = context.MaxStorageBufferRange + (1 << 20);
        long before = context.AllocatedBytes;
        using (var buffer = context.CreateBuffer(size, BufferPlace.Device, "large test buffer"))
        {
            Assert.True(context.AllocatedBytes - before >= size);
            var head = new byte[4096];
            var tail = new byte[4096];
            new Random(4).NextBytes(head);
            new Random(5).NextBytes(tail);
            buffer.Write(0, head);
            buffer.Write(size - tail.Length, tail);
            var back = new byte[4096];
            buffer.Read(0, back);
            Assert.Equal(head, back);
            buffer.Read(size - tail.Length, back);
            Assert.Equal(tail, back);
        }
        Assert.Equal(before, context.AllocatedBytes);
    }

    [VulkanFact]
    public void Specialization_constants_reach_the_shader()
    {
        using var device = new VulkanDevice();
        var context = device.Context;
        using var output = context.CreateBuffer(4 * 64, BufferPlace.Host, "spec test");
        foreach (var (workGroup, probe) in new[] { (32u, 7u), (64u, 123u) })
        {
            var pipeline = context.Pipeline("spec_probe", 1, workGroup, probe);
            context.DispatchNow(pipeline, [output], [], 64 / workGroup);
            var values = new uint[64];
            output.Read(0, MemoryMarshal.AsBytes(values.AsSpan()));
            Assert.All(values, v => Assert.Equal(workGroup * 1000 + probe, v));
        }
    }
}
