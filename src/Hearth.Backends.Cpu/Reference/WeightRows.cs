using System.Runtime.InteropServices;
using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Backends.Cpu.Reference;

/// <summary>
/// The rows of a 2-D weight [rows, Width] in its storage type: either a host tensor (memory-mapped,
/// any type) or an F32 activation. F32 is handled here directly; every other type goes through
/// <see cref="Dequant"/> / <see cref="RowDot"/>, the single definition of each type's numeric meaning.
/// </summary>
internal readonly struct WeightRows
{
    private readonly HostTensor? _tensor;
    private readonly float[]? _values;

    public WeightRows(HostTensor tensor)
    {
        _tensor = tensor;
        Type = tensor.Type;
        Width = tensor.Shape.Last;
    }

    public WeightRows(float[] values, int width)
    {
        _values = values;
        Type = TensorType.F32;
        Width = width;
    }

    public TensorType Type { get; }
    public int Width { get; }

    /// <summary>The bytes of one row in storage type.</summary>
    public ReadOnlySpan<byte> Row(int row) =>
        _tensor is not null ? _tensor.RowBytes(row) : MemoryMarshal.AsBytes(_values.AsSpan(row * Width, Width));

    // row [Width] (storage type) -> dst [Width] F32
    public void DequantizeRow(int row, Span<float> dst)
    {
        if (Type == TensorType.F32) MemoryMarshal.Cast<byte, float>(Row(row))[..Width].CopyTo(dst);
        else Dequant.Row(Type, Row(row), dst[..Width]);
    }

    // row [Width] (storage type) . x [Width] -> float
    public float Dot(int row, ReadOnlySpan<float> x)
    {
        if (Type != TensorType.F32) return RowDot.Dot(Type, Row(row), x);
        // F32 is plain: accumulate in double (a reduction should be accurate), round once to float.
        var w = MemoryMarshal.Cast<byte, float>(Row(row));
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += (double)w[i] * x[i];
        return (float)sum;
    }
}
