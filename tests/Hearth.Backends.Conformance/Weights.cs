using System.Runtime.InteropServices;
using Hearth.Core;

namespace Hearth.Backends.Conformance;

/// <summary>
/// Test weights in every storage type: float types from random values; quantized types from random bytes (every
/// bit pattern of the quants, scales and packed sub-block scales gets exercised) with the f16 super-scales replaced
/// by small finite positive values. The oracle (cpu-ref, via Core's Dequant) defines what the bytes mean.
/// </summary>
public static class Weights
{
    public static float[] RandomFloats(Random random, int count, double range = 1.0)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * range);
        return values;
    }

    public static HostTensor Make(TensorType type, string name, Random random, int rows, int width)
    {
        var shape = new Shape(rows, width);
        switch (type)
        {
            case TensorType.F32:
                return FromBytes(name, type, MemoryMarshal.AsBytes(RandomFloats(random, rows * width).AsSpan()).ToArray(), shape);
            case TensorType.F16:
                var halves = RandomFloats(random, rows * width).Select(v => (Half)v).ToArray();
                return FromBytes(name, type, MemoryMarshal.AsBytes(halves.AsSpan()).ToArray(), shape);
            case TensorType.BF16:
                var bf = RandomFloats(random, rows * width).Select(v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)).ToArray();
                return FromBytes(name, type, MemoryMarshal.AsBytes(bf.AsSpan()).ToArray(), shape);
        }
        var info = TensorTypes.Info(type);
        int blocks = rows * width / info.BlockSize;
        var bytes = new byte[blocks * info.BlockBytes];
        random.NextBytes(bytes);
        foreach (int offset in HalfOffsets(type))
        {
            for (int b = 0; b < blocks; b++)
            {
                var scale = (Half)(0.002 + random.NextDouble() * 0.02);
                BitConverter.TryWriteBytes(bytes.AsSpan(b * info.BlockBytes + offset), scale);
            }
        }
        return FromBytes(name, type, bytes, shape);
    }

    // Byte offsets of the f16 scale fields in each block (the rest may be any bits).
    private static int[] HalfOffsets(TensorType type) => type switch
    {
        TensorType.Q4_0 or TensorType.Q5_0 or TensorType.Q8_0 => [0],
        TensorType.Q4_1 or TensorType.Q5_1 => [0, 2],
        TensorType.Q4_K or TensorType.Q5_K => [0, 2],
        TensorType.Q6_K => [208],
        TensorType.Q2_K => [80, 82],
        TensorType.Q3_K => [108],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no test block layout"),
    };

    public static HostTensor FromBytes(string name, TensorType type, byte[] bytes, Shape shape)
    {
        var pinned = GC.AllocateArray<byte>(Math.Max(bytes.Length, 1), pinned: true);
        bytes.CopyTo(pinned, 0);
        return new HostTensor(name, type, shape, Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0), bytes.Length, pinned);
    }

    public static HostTensor F32(string name, float[] values, params int[] shape) =>
        FromBytes(name, TensorType.F32, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), new Shape(shape));
}
