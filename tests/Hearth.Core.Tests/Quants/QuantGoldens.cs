using System.Text;
using Hearth.Core;

namespace Hearth.Core.Tests.Quants;

/// <summary>
/// Reader for tests/data/quants/quant_goldens_v1.bin, written by
/// tools/reference/quants/make_quant_goldens.py (an independent numpy implementation of the formats).
/// The layout is documented at the top of that script.
/// </summary>
public sealed class QuantGoldens
{
    public const int Version = 1;
    private static readonly Lazy<QuantGoldens> Instance = new(() => Load(Path.Combine(AppContext.BaseDirectory, "data", "quants", "quant_goldens_v1.bin")));

    public static QuantGoldens Shared => Instance.Value;

    public required string Script { get; init; }
    public required IReadOnlyList<RowCase> Rows { get; init; }
    public required float[] ConversionInputs { get; init; }
    public required ushort[] ExpectedHalfBits { get; init; }
    public required ushort[] ExpectedBF16Bits { get; init; }

    public RowCase Row(TensorType type) => Rows.Single(r => r.Type == type);

    public sealed record DotCase(int First, float[] X, double Expected, double SumAbs);

    /// <summary>One row of raw bytes of a type, its expected F32 values and dot products over parts of it.</summary>
    public sealed record RowCase(TensorType Type, byte[] Bytes, float[] Expected, IReadOnlyList<DotCase> Dots);

    private static QuantGoldens Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var magic = Encoding.ASCII.GetString(reader.ReadBytes(8));
        if (magic != "HRTHQGLD") throw new InvalidDataException($"{path}: bad magic '{magic}'");
        uint version = reader.ReadUInt32();
        if (version != Version) throw new InvalidDataException($"{path}: version {version}, expected {Version}");
        string script = Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadInt32()));
        reader.ReadUInt32(); // seed
        uint sectionCount = reader.ReadUInt32();
        var rows = new List<RowCase>();
        float[]? inputs = null;
        ushort[]? halfBits = null, bf16Bits = null;
        for (int s = 0; s < sectionCount; s++)
        {
            uint tag = reader.ReadUInt32();
            if (tag == 1)
            {
                var type = (TensorType)reader.ReadInt32();
                int n = reader.ReadInt32();
                byte[] bytes = reader.ReadBytes(reader.ReadInt32());
                float[] expected = ReadFloats(reader, n);
                int dotCount = reader.ReadInt32();
                var dots = new List<DotCase>();
                for (int d = 0; d < dotCount; d++)
                {
                    int first = reader.ReadInt32();
                    int length = reader.ReadInt32();
                    float[] x = ReadFloats(reader, length);
                    dots.Add(new DotCase(first, x, reader.ReadDouble(), reader.ReadDouble()));
                }
                rows.Add(new RowCase(type, bytes, expected, dots));
            }
            else if (tag == 2)
            {
                int count = reader.ReadInt32();
                inputs = ReadFloats(reader, count);
                halfBits = ReadUInt16s(reader, count);
                bf16Bits = ReadUInt16s(reader, count);
            }
            else throw new InvalidDataException($"{path}: unknown section tag {tag}");
        }
        if (reader.BaseStream.Position != reader.BaseStream.Length) throw new InvalidDataException($"{path}: trailing bytes");
        return new QuantGoldens
        {
            Script = script,
            Rows = rows,
            ConversionInputs = inputs ?? throw new InvalidDataException($"{path}: no conversion section"),
            ExpectedHalfBits = halfBits!,
            ExpectedBF16Bits = bf16Bits!,
        };
    }

    private static float[] ReadFloats(BinaryReader reader, int count)
    {
        var result = new float[count];
        for (int i = 0; i < count; i++) result[i] = reader.ReadSingle();
        return result;
    }

    private static ushort[] ReadUInt16s(BinaryReader reader, int count)
    {
        var result = new ushort[count];
        for (int i = 0; i < count; i++) result[i] = reader.ReadUInt16();
        return result;
    }
}
