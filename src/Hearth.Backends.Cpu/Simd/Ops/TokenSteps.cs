using System.Runtime.Intrinsics;
using Hearth.Backends.Cpu.Simd.Kernels;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Backends.Cpu.Simd.Ops;

// table [vocab, dim] (storage type), ids [T] -> dst [T, dim]
internal sealed unsafe class EmbeddingStep(string name, byte* table, TensorType type, int vocab, int dim, int* ids, int tokens, float* dst) : Step
{
    private readonly long _rowBytes = TensorTypes.RowBytes(type, dim);

    public override void Run()
    {
        for (int t = 0; t < tokens; t++)
        {
            int id = ids[t];
            if (id < 0 || id >= vocab)
                throw new HearthException($"graph node '{name}': token id {id} at row {t} is outside the vocabulary [0, {vocab})");
            byte* row = table + id * _rowBytes;
            float* o = dst + (long)t * dim;
            int i = 0;
            switch (type)
            {
                case TensorType.F32:
                    new ReadOnlySpan<float>(row, dim).CopyTo(new Span<float>(o, dim));
                    break;
                case TensorType.F16:
                    for (; i + 8 <= dim; i += 8) HalfTable.ToFloat(Vector128.Load((ushort*)row + i)).Store(o + i);
                    for (; i < dim; i++) o[i] = HalfTable.ToFloat(((ushort*)row)[i]);
                    break;
                case TensorType.BF16:
                    for (; i + 8 <= dim; i += 8) HalfTable.BF16ToFloat(Vector128.Load((ushort*)row + i)).Store(o + i);
                    for (; i < dim; i++) o[i] = BitConverter.UInt32BitsToSingle((uint)((ushort*)row)[i] << 16);
                    break;
                default:
                    Dequant.Row(type, new ReadOnlySpan<byte>(row, (int)_rowBytes), new Span<float>(o, dim));
                    break;
            }
        }
    }
}

// x [T, heads * headDim], positions [T], invFreq [headDim / 2] -> dst, pairs rotated by positions[t] * invFreq[i]
internal sealed unsafe class RopeStep(float* x, int* positions, float* invFreq, int tokens, RopeParams p, float* dst) : Step
{
    private readonly float[] _cos = new float[p.HeadDim / 2];
    private readonly float[] _sin = new float[p.HeadDim / 2];

    public override void Run()
    {
        int width = p.HeadCount * p.HeadDim, half = p.HeadDim / 2;
        bool interleaved = p.Mode == RopeMode.Interleaved;
        for (int t = 0; t < tokens; t++)
        {
            // Same float32 angle and cos/sin as the reference; computed once per token, shared by all heads.
            for (int i = 0; i < half; i++)
            {
                float angle = positions[t] * invFreq[i];
                _cos[i] = MathF.Cos(angle);
                _sin[i] = MathF.Sin(angle);
            }
            for (int h = 0; h < p.HeadCount; h++)
            {
                long head = (long)t * width + h * p.HeadDim;
                for (int i = 0; i < half; i++)
                {
                    long first = interleaved ? head + 2 * i : head + i;
                    long second = interleaved ? first + 1 : first + half;
                    float a = x[first], b = x[second], cos = _cos[i], sin = _sin[i];
                    dst[first] = a * cos - b * sin;
                    dst[second] = a * sin + b * cos;
                }
            }
        }
    }
}

// src [T, width], slots [T] -> cache[slots[t]] = src[t]
internal sealed unsafe class KvWriteStep(string name, float* src, int* slots, int tokens, CpuFastStateBuffer cache) : Step
{
    public override void Run()
    {
        int width = cache.Width;
        for (int t = 0; t < tokens; t++)
        {
            int slot = slots[t];
            if (slot < 0)
                throw new HearthException($"graph node '{name}': negative slot {slot} at row {t}");
            if (slot >= cache.Capacity)
                throw new HearthException($"graph node '{name}': context is full: slot {slot} does not fit cache '{cache.Name}' of {cache.Capacity} rows");
            float* row = src + (long)t * width;
            long at = (long)slot * width;
            if (cache.F32 != null) new ReadOnlySpan<float>(row, width).CopyTo(new Span<float>(cache.F32 + at, width));
            else for (int i = 0; i < width; i++) cache.F16[at + i] = BitConverter.HalfToUInt16Bits((Half)row[i]);
        }
    }
}
