using Hearth.Core;
using Hearth.Formats.Gguf;

namespace Hearth.Formats.Tests;

public class GgufRoundTripTests
{
    private static readonly (string Key, GgufValue Value)[] AllValues =
    [
        ("u8", new(GgufValueType.UInt8, (byte)250)),
        ("i8", new(GgufValueType.Int8, (sbyte)-100)),
        ("u16", new(GgufValueType.UInt16, (ushort)65000)),
        ("i16", new(GgufValueType.Int16, (short)-32000)),
        ("u32", new(GgufValueType.UInt32, 4_000_000_000u)),
        ("i32", new(GgufValueType.Int32, -2_000_000_000)),
        ("f32", new(GgufValueType.Float32, 3.25f)),
        ("bool.true", new(GgufValueType.Bool, true)),
        ("bool.false", new(GgufValueType.Bool, false)),
        ("string", new(GgufValueType.String, "héllo ✓ 世界")),
        ("string.empty", new(GgufValueType.String, "")),
        ("u64", new(GgufValueType.UInt64, ulong.MaxValue)),
        ("i64", new(GgufValueType.Int64, long.MinValue)),
        ("f64", new(GgufValueType.Float64, -1e300)),
        ("arr.u8", new(GgufValueType.Array, new byte[] { 0, 1, 255 }, GgufValueType.UInt8)),
        ("arr.i8", new(GgufValueType.Array, new sbyte[] { -128, 127 }, GgufValueType.Int8)),
        ("arr.u16", new(GgufValueType.Array, new ushort[] { 1, 65535 }, GgufValueType.UInt16)),
        ("arr.i16", new(GgufValueType.Array, new short[] { -1, 2 }, GgufValueType.Int16)),
        ("arr.u32", new(GgufValueType.Array, new uint[] { 7, uint.MaxValue }, GgufValueType.UInt32)),
        ("arr.i32", new(GgufValueType.Array, new[] { -7, 8, 9 }, GgufValueType.Int32)),
        ("arr.f32", new(GgufValueType.Array, new[] { 0.5f, -2f, float.NaN }, GgufValueType.Float32)),
        ("arr.bool", new(GgufValueType.Array, new[] { true, false, true }, GgufValueType.Bool)),
        ("arr.string", new(GgufValueType.Array, new[] { "a", "", "ü" }, GgufValueType.String)),
        ("arr.u64", new(GgufValueType.Array, new[] { 0ul, ulong.MaxValue }, GgufValueType.UInt64)),
        ("arr.i64", new(GgufValueType.Array, new[] { long.MinValue, 5L }, GgufValueType.Int64)),
        ("arr.f64", new(GgufValueType.Array, new[] { 1.5, -0.0 }, GgufValueType.Float64)),
        ("arr.empty.f32", new(GgufValueType.Array, Array.Empty<float>(), GgufValueType.Float32)),
        ("arr.empty.string", new(GgufValueType.Array, Array.Empty<string>(), GgufValueType.String)),
        ("arr.nested", new(GgufValueType.Array, new GgufValue[]
        {
            new(GgufValueType.Array, new[] { 1, 2 }, GgufValueType.Int32),
            new(GgufValueType.Array, new[] { "x", "yz" }, GgufValueType.String),
            new(GgufValueType.Array, Array.Empty<GgufValue>(), GgufValueType.Array),
            new(GgufValueType.Array, new GgufValue[] { new(GgufValueType.Array, new byte[] { 9 }, GgufValueType.UInt8) }, GgufValueType.Array),
        }, GgufValueType.Array)),
        ("arr.empty.nested", new(GgufValueType.Array, Array.Empty<GgufValue>(), GgufValueType.Array)),
    ];

    [Fact]
    public void EveryMetadataValueType_RoundTrips_InInsertionOrder()
    {
        using var dir = new TempDir();
        var writer = new GgufWriter();
        foreach (var (key, value) in AllValues) writer.Add(key, value);
        string path = dir.File("meta.gguf");
        writer.Write(path);

        using var file = GgufFile.Open(path);
        Assert.Equal(3u, file.Version);
        Assert.Equal(AllValues.Select(v => v.Key), file.Metadata.Keys);
        foreach (var (key, expected) in AllValues) AssertSameValue(expected, file.Metadata[key], key);
        Assert.Empty(file.Tensors);
    }

    private static void AssertSameValue(GgufValue expected, GgufValue actual, string key)
    {
        Assert.True(expected.Type == actual.Type, $"{key}: type {actual.Type}, expected {expected.Type}");
        if (expected.Type != GgufValueType.Array)
        {
            Assert.Equal(expected.Value.GetType(), actual.Value.GetType());
            Assert.Equal(expected.Value, actual.Value);
            return;
        }
        Assert.Equal(expected.ArrayElementType, actual.ArrayElementType);
        Assert.Equal(expected.Value.GetType(), actual.Value.GetType());
        var e = (Array)expected.Value;
        var a = (Array)actual.Value;
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
        {
            if (e.GetValue(i) is GgufValue nested) AssertSameValue(nested, (GgufValue)a.GetValue(i)!, $"{key}[{i}]");
            else Assert.Equal(e.GetValue(i), a.GetValue(i));
        }
    }

    [Theory]
    [InlineData(0)] // default alignment (32)
    [InlineData(32)]
    [InlineData(64)]
    public void EveryTensorType_RoundTrips(int alignment)
    {
        using var dir = new TempDir();
        var writer = new GgufWriter();
        if (alignment != 0) writer.Add("general.alignment", GgufValue.Of((uint)alignment));
        var expected = new List<(string Name, TensorType Type, Shape Shape, byte[] Data)>();
        int seed = 1;
        foreach (var info in TensorTypes.All)
        {
            // Odd row counts and sizes so tensor ends are rarely aligned and padding matters.
            foreach (var shape in new[] { new Shape(3, 2 * info.BlockSize + (info.BlockSize == 1 ? 1 : 0)), new Shape(info.BlockSize), new Shape(2, 1, 3, info.BlockSize) })
            {
                string name = $"{info.Name}.{shape.Rank}d";
                var data = TestData.RandomBytes((int)TensorTypes.TensorBytes(info.Type, shape), seed++);
                writer.AddTensor(name, info.Type, shape, data);
                expected.Add((name, info.Type, shape, data));
            }
        }
        string path = dir.File("tensors.gguf");
        writer.Write(path);

        using var file = GgufFile.Open(path);
        int effective = alignment == 0 ? 32 : alignment;
        Assert.Equal(effective, file.Alignment);
        Assert.Equal(0, file.DataOffset % effective);
        Assert.Equal(expected.Count, file.Tensors.Count);
        nint dataStart = file.Tensors[0].Data;
        for (int i = 0; i < expected.Count; i++)
        {
            var t = file.Tensors[i];
            Assert.Equal(expected[i].Name, t.Name);
            Assert.Equal(expected[i].Type, t.Type);
            Assert.Equal(expected[i].Shape, t.Shape);
            Assert.Equal(expected[i].Data, t.Bytes.ToArray());
            Assert.Equal(0, (t.Data - dataStart) % effective);
            Assert.Same(file, t.Owner);
            Assert.Same(t, file.Find(t.Name));
        }
        Assert.Null(file.Find("missing"));

        // Independent of the reader: the bytes sit in the file at DataOffset + aligned offsets.
        var raw = File.ReadAllBytes(path);
        long offset = file.DataOffset;
        foreach (var e in expected)
        {
            Assert.Equal(e.Data, raw.AsSpan((int)offset, e.Data.Length).ToArray());
            offset += (e.Data.Length + effective - 1) / effective * effective;
        }
    }

    [Fact]
    public void HandBuiltV2File_IsRead_WithShapeReversed()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var dataBytes = data.SelectMany(BitConverter.GetBytes).ToArray();
        var bytes = new RawGguf()
            .Header(version: 2, tensorCount: 1, kvCount: 2)
            .KvString("general.architecture", "llama")
            .KvU32("llama.context_length", 4096)
            .TensorInfo("w", type: 0, offset: 0, ne: [3, 2]) // ne innermost first: 2 rows of 3
            .Align(32).Bytes(dataBytes).ToArray();
        using var dir = new TempDir();
        using var file = GgufFile.Open(dir.Write("v2.gguf", bytes));

        Assert.Equal(2u, file.Version);
        Assert.Equal("llama", file.Architecture);
        Assert.Equal(4096, file.GetInt32("llama.context_length"));
        var w = Assert.Single(file.Tensors);
        Assert.Equal(new Shape(2, 3), w.Shape);
        Assert.Equal(TensorType.F32, w.Type);
        Assert.Equal(dataBytes, w.Bytes.ToArray());
        Assert.Equal(dataBytes.AsSpan(12, 12).ToArray(), w.RowBytes(1).ToArray());
    }

    [Fact]
    public void Writer_ProducesTheBytesOfTheSpec()
    {
        var q8 = TestData.RandomBytes(34 * 2, 7); // Q8_0 [2, 32]: two blocks of 34 bytes
        var f16 = TestData.RandomBytes(2 * 5, 8);  // F16 [5]
        var writer = new GgufWriter();
        writer.Add("general.name", GgufValue.Of("tiny"));
        writer.Add("n", GgufValue.Of(7u));
        writer.AddTensor("a", TensorType.Q8_0, new Shape(2, 32), q8);
        writer.AddTensor("b", TensorType.F16, new Shape(5), f16);
        using var stream = new MemoryStream();
        writer.Write(stream);

        var expected = new RawGguf()
            .Header(version: 3, tensorCount: 2, kvCount: 2)
            .KvString("general.name", "tiny")
            .KvU32("n", 7)
            .TensorInfo("a", type: 8, offset: 0, ne: [32, 2])
            .TensorInfo("b", type: 1, offset: 96, ne: [5]) // 68 bytes of a, padded to 96
            .Align(32).Bytes(q8).Align(32).Bytes(f16).Align(32).ToArray();
        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public void TypedGetters_ConvertAndNameTheKey()
    {
        using var dir = new TempDir();
        var writer = new GgufWriter();
        writer.Add("s", GgufValue.Of("text"));
        writer.Add("u32", GgufValue.Of(12u));
        writer.Add("u64.big", GgufValue.Of(ulong.MaxValue));
        writer.Add("f", GgufValue.Of(0.5f));
        writer.Add("b", GgufValue.Of(true));
        writer.Add("tokens", GgufValue.Of(["a", "b"]));
        writer.Add("scores", GgufValue.Of([1f, 2f]));
        writer.Add("types", new GgufValue(GgufValueType.Array, new uint[] { 1, 6 }, GgufValueType.UInt32));
        writer.Add("wide", new GgufValue(GgufValueType.Array, new long[] { long.MaxValue }, GgufValueType.Int64));
        string path = dir.File("getters.gguf");
        writer.Write(path);
        using var file = GgufFile.Open(path);

        Assert.Equal("text", file.GetString("s"));
        Assert.Equal(12, file.GetInt32("u32"));
        Assert.Equal(12L, file.GetInt64("u32"));
        Assert.Equal(12f, file.GetFloat("u32"));
        Assert.Equal(0.5f, file.GetFloat("f"));
        Assert.True(file.GetBool("b"));
        Assert.Equal(["a", "b"], file.GetStringArray("tokens"));
        Assert.Equal([1f, 2f], file.GetFloatArray("scores"));
        Assert.Equal([1, 6], file.GetInt32Array("types"));
        Assert.Equal([1f, 6f], file.GetFloatArray("types"));
        Assert.Equal(99, file.GetInt32OrDefault("absent", 99));
        Assert.Null(file.GetStringOrDefault("absent"));
        Assert.True(file.TryGet("s", out var s) && s.AsString() == "text");
        Assert.False(file.TryGet("absent", out _));

        var missing = Assert.Throws<ModelFormatException>(() => file.GetString("absent"));
        Assert.Contains("'absent'", missing.Message);
        Assert.Contains(path, missing.Message);
        var wrongType = Assert.Throws<ModelFormatException>(() => file.GetString("u32"));
        Assert.Contains("'u32'", wrongType.Message);
        Assert.Throws<ModelFormatException>(() => file.GetInt32("u64.big"));
        Assert.Throws<ModelFormatException>(() => file.GetInt64("u64.big"));
        Assert.Throws<ModelFormatException>(() => file.GetInt32("s"));
        Assert.Throws<ModelFormatException>(() => file.GetStringArray("scores"));
        Assert.Throws<ModelFormatException>(() => file.GetInt32Array("scores"));
        Assert.Throws<ModelFormatException>(() => file.GetInt32Array("wide"));
        Assert.Throws<ModelFormatException>(() => file.GetBool("f"));
    }

    [Fact]
    public void Writer_RejectsWrongDataLength_AndMismatchedValueTypes()
    {
        var writer = new GgufWriter();
        Assert.Throws<ArgumentException>(() => writer.AddTensor("q", TensorType.Q4_0, new Shape(2, 32), new byte[35]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("q", TensorType.Q4_0, new Shape(2, 20), new byte[36]));
        Assert.Throws<ArgumentException>(() => writer.Add("x", new GgufValue(GgufValueType.UInt32, 5)));
        Assert.Throws<ArgumentException>(() => writer.Add("general.alignment", GgufValue.Of(48u)));
        writer.Add("k", GgufValue.Of(1));
        Assert.Throws<ArgumentException>(() => writer.Add("k", GgufValue.Of(2)));
        writer.AddTensor("t", TensorType.F32, new Shape(1), new byte[4]);
        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", TensorType.F32, new Shape(1), new byte[4]));
    }
}

public class GgufValueTests
{
    [Fact]
    public void AsInt64_OfHugeUnsigned_ThrowsHearthException()
    {
        Assert.Throws<HearthException>(() => GgufValue.Of(ulong.MaxValue).AsInt64());
        Assert.Equal(5L, GgufValue.Of(5ul).AsInt64());
        Assert.Throws<HearthException>(() => GgufValue.Of("x").AsInt64());
    }

    [Fact]
    public void OfNested_BuildsAnArrayOfArrays()
    {
        var v = GgufValue.OfNested(GgufValue.Of([1, 2]), GgufValue.Of(["a"]));
        Assert.Equal(GgufValueType.Array, v.ArrayElementType);
        Assert.Equal(2, v.AsArray().Length);
    }
}
