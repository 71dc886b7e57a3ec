using System.Runtime.InteropServices;
using Hearth.Core;

namespace Hearth.Backends.Cpu.Tests;

/// <summary>
/// A weight built in the test: its bytes in storage type (pinned, kept alive by the HostTensor's Owner)
/// and the exact values those bytes mean, decoded by the test's own code (not the backend's).
/// </summary>
public sealed record TestWeight(HostTensor Tensor, double[] Values);

/// <summary>Builds host tensors over pinned memory and encodes values in each storage type, independently of the backend.</summary>
public static class TestTensors
{
    public static float[] Random(Random random, int count, double range = 1.0)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * range);
        return values;
    }

    public static HostTensor FromBytes(string name, TensorType type, byte[] bytes, params int[] shape)
    {
        // Pinned-object-heap array: never moves; the HostTensor's Owner keeps it alive.
        var pinned = GC.AllocateArray<byte>(Math.Max(bytes.Length, 1), pinned: true);
        bytes.CopyTo(pinned, 0);
        return new HostTensor(name, type, new Shape(shape), Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0), bytes.Length, pinned);
    }

    public static TestWeight F32(string name, float[] values, params int[] shape) =>
        new(FromBytes(name, TensorType.F32, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), shape), [.. values.Select(v => (double)v)]);

    public static TestWeight F16(string name, float[] values, params int[] shape)
    {
        var halves = values.Select(v => (Half)v).ToArray();
        return new(FromBytes(name, TensorType.F16, MemoryMarshal.AsBytes(halves.AsSpan()).ToArray(), shape), [.. halves.Select(h => (double)h)]);
    }

    public static TestWeight BF16(string name, float[] values, params int[] shape)
    {
        var bytes = new byte[values.Length * 2];
        var decoded = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            uint bits = BitConverter.SingleToUInt32Bits(values[i]);
            // Round to nearest even on the 16 bits that are dropped.
            uint rounded = bits + 0x7FFF + ((bits >> 16) & 1);
            ushort top = (ushort)(rounded >> 16);
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 2), top);
            decoded[i] = BitConverter.UInt32BitsToSingle((uint)top << 16);
        }
        return new(FromBytes(name, TensorType.BF16, bytes, shape), decoded);
    }

    /// <summary>Random Q8_0 blocks: per 32 values one F16 scale d and 32 signed bytes q; value = d * q.</summary>
    public static TestWeight Q8_0(string name, Random random, params int[] shape)
    {
        int count = (int)new Shape(shape).ElementCount;
        var bytes = new byte[count / 32 * 34];
        var decoded = new double[count];
        for (int block = 0; block < count / 32; block++)
        {
            var d = (Half)(0.001 + random.NextDouble() * 0.02);
            BitConverter.TryWriteBytes(bytes.AsSpan(block * 34), d);
            for (int j = 0; j < 32; j++)
            {
                sbyte q = (sbyte)random.Next(-127, 128);
                bytes[block * 34 + 2 + j] = (byte)q;
                decoded[block * 32 + j] = (double)d * q;
            }
        }
        return new(FromBytes(name, TensorType.Q8_0, bytes, shape), decoded);
    }

    /// <summary>Random Q4_0 blocks: one F16 scale d, 16 bytes; byte j holds element j (low nibble) and j + 16 (high); value = d * (nibble - 8).</summary>
    public static TestWeight Q4_0(string name, Random random, params int[] shape)
    {
        int count = (int)new Shape(shape).ElementCount;
        var bytes = new byte[count / 32 * 18];
        var decoded = new double[count];
        for (int block = 0; block < count / 32; block++)
        {
            var d = (Half)(0.01 + random.NextDouble() * 0.1);
            BitConverter.TryWriteBytes(bytes.AsSpan(block * 18), d);
            for (int j = 0; j < 16; j++)
            {
                int low = random.Next(16), high = random.Next(16);
                bytes[block * 18 + 2 + j] = (byte)(low | (high << 4));
                decoded[block * 32 + j] = (double)d * (low - 8);
                decoded[block * 32 + j + 16] = (double)d * (high - 8);
            }
        }
        return new(FromBytes(name, TensorType.Q4_0, bytes, shape), decoded);
    }

    public static TestWeight Make(TensorType type, string name, Random random, params int[] shape)
    {
        int count = (int)new Shape(shape).ElementCount;
        return type switch
        {
            TensorType.F32 => F32(name, Random(random, count), shape),
            TensorType.F16 => F16(name, Random(random, count), shape),
            TensorType.BF16 => BF16(name, Random(random, count), shape),
            TensorType.Q8_0 => Q8_0(name, random, shape),
            TensorType.Q4_0 => Q4_0(name, random, shape),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }
}
