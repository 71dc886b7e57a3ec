using Hearth.Core;
using Hearth.Formats.Gguf;

namespace Hearth.Formats.Tests;

public class GgufBadInputTests
{
    /// <summary>Opens hand-built bytes and returns the error, checking it names the file.</summary>
    private static ModelFormatException OpenFails(byte[] bytes)
    {
        using var dir = new TempDir();
        string path = dir.Write("bad.gguf", bytes);
        var error = Assert.Throws<ModelFormatException>(() => GgufFile.Open(path).Dispose());
        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.Path);
        return error;
    }

    /// <summary>One F32 tensor [2, 4] described by <paramref name="tensorInfo"/>, followed by 32 data bytes.</summary>
    private static byte[] OneTensor(Action<RawGguf> tensorInfo, ulong tensorCount = 1) =>
        new RawGguf().Header(3, tensorCount, 0).Also(tensorInfo).Align(32).Bytes(new byte[32]).ToArray();

    [Fact]
    public void ValidBaseline_Opens()
    {
        using var dir = new TempDir();
        using var file = GgufFile.Open(dir.Write("ok.gguf", OneTensor(g => g.TensorInfo("w", 0, 0, 4, 2))));
        Assert.Equal(new Shape(2, 4), file.Tensors[0].Shape);
    }

    [Fact]
    public void EveryTruncation_GivesModelFormatException()
    {
        var writer = new GgufWriter();
        writer.Add("general.architecture", GgufValue.Of("llama"));
        writer.Add("tokens", GgufValue.Of(["<s>", "</s>", "hello"]));
        writer.Add("nested", new GgufValue(GgufValueType.Array, new GgufValue[] { GgufValue.Of([1, 2]) }, GgufValueType.Array));
        writer.Add("eps", GgufValue.Of(1e-5f));
        writer.AddTensor("a", TensorType.Q8_0, new Shape(1, 32), new byte[34]);
        writer.AddTensor("b", TensorType.F32, new Shape(8), TestData.RandomBytes(32, 1)); // ends on the alignment: no trailing padding
        using var stream = new MemoryStream();
        writer.Write(stream);
        var full = stream.ToArray();

        using var dir = new TempDir();
        string path = dir.File("cut.gguf");
        using (GgufFile.Open(dir.Write("cut.gguf", full))) { }
        for (int cut = 0; cut < full.Length; cut++)
        {
            File.WriteAllBytes(path, full.AsSpan(0, cut).ToArray());
            var error = Assert.Throws<ModelFormatException>(() => GgufFile.Open(path).Dispose());
            Assert.Contains(path, error.Message);
        }
    }

    [Fact]
    public void TruncatedHeader_SaysWhatWasBeingRead()
    {
        var bytes = new RawGguf().Header(3, 0, 1).Str("general.name").U32(8).U64(10).ToArray(); // string value cut short
        var error = OpenFails(bytes);
        Assert.Contains("general.name", error.Message);
    }

    [Fact]
    public void BadMagic()
    {
        var error = OpenFails(new RawGguf().Header(3, 0, 0, magic: 0x464C457F).ToArray());
        Assert.Contains("not a GGUF file", error.Message);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    [InlineData(0u)]
    public void UnsupportedVersion(uint version)
    {
        var error = OpenFails(new RawGguf().Header(version, 0, 0).ToArray());
        Assert.Contains($"unsupported GGUF version {version}", error.Message);
    }

    [Fact]
    public void TensorOffsetPastEnd()
    {
        var error = OpenFails(OneTensor(g => g.TensorInfo("w", 0, 64, 4, 2)));
        Assert.Contains("'w'", error.Message);
        Assert.Contains("past the end", error.Message);
    }

    [Fact]
    public void TensorDataRunsPastEnd()
    {
        var error = OpenFails(OneTensor(g => g.TensorInfo("w", 0, 0, 4, 3))); // 48 bytes, 32 present
        Assert.Contains("past the end", error.Message);
    }

    [Fact]
    public void HugeTensorOffset()
    {
        var error = OpenFails(OneTensor(g => g.TensorInfo("w", 0, ulong.MaxValue - 31, 4, 2)));
        Assert.Contains("'w'", error.Message);
    }

    [Fact]
    public void ZeroDimension()
    {
        var error = OpenFails(OneTensor(g => g.TensorInfo("w", 0, 0, 4, 0)));
        Assert.Contains("dimension 1", error.Message);
    }

    [Fact]
    public void DimensionTooLargeForInt()
    {
        var error = OpenFails(OneTensor(g => g.TensorInfo("w", 0, 0, 1ul << 40)));
        Assert.Contains("'w'", error.Message);
    }

    [Fact]
    public void NegativeDimension()
    {
        OpenFails(OneTensor(g => g.TensorInfo("w", 0, 0, unchecked((ulong)-4L), 2)));
    }

    [Fact]
    public void ElementCountOverflow()
    {
        var error = OpenFails(OneTensor(g => g.TensorInfo("w", 0, 0, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue)));
        Assert.Contains("overflows", error.Message);
    }

    [Fact]
    public void MoreElementsThanTheFile()
    {
        var error = OpenFails(OneTensor(g => g.TensorInfo("w", 0, 0, 1 << 20, 1 << 20)));
        Assert.Contains("more bytes than the whole file", error.Message);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(5u)]
    public void BadDimensionCount(uint dims)
    {
        var bytes = new RawGguf().Header(3, 1, 0).Str("w").U32(dims).U64(4).U64(4).U64(4).U64(4).U64(4).U32(0).U64(0).Align(32).Bytes(new byte[64]).ToArray();
        var error = OpenFails(bytes);
        Assert.Contains($"{dims} dimensions", error.Message);
    }

    [Theory]
    [InlineData(4u)] // the removed Q4_2
    [InlineData(99u)]
    [InlineData(uint.MaxValue)]
    public void UnknownTensorType(uint typeId)
    {
        var error = OpenFails(OneTensor(g => g.TensorInfo("w", typeId, 0, 4, 2)));
        Assert.Contains("'w'", error.Message);
        Assert.Contains($"unknown type id {typeId}", error.Message);
    }

    [Fact]
    public void RowNotWholeBlocks()
    {
        var error = OpenFails(OneTensor(g => g.TensorInfo("q", (uint)TensorType.Q4_0, 0, 20)));
        Assert.Contains("block size 32", error.Message);
    }

    [Fact]
    public void HugeStringLength()
    {
        var bytes = new RawGguf().Header(3, 0, 1).Str("k").U32(8).U64(ulong.MaxValue / 2).Bytes(new byte[16]).ToArray();
        var error = OpenFails(bytes);
        Assert.Contains("'k'", error.Message);
    }

    [Fact]
    public void HugeKeyLength()
    {
        OpenFails(new RawGguf().Header(3, 0, 1).U64(1ul << 62).Bytes(new byte[16]).ToArray());
    }

    [Fact]
    public void HugeArrayCount()
    {
        var bytes = new RawGguf().Header(3, 0, 1).Str("tokens").U32(9).U32(8).U64(1ul << 40).Bytes(new byte[64]).ToArray();
        var error = OpenFails(bytes);
        Assert.Contains("tokens", error.Message);
    }

    [Fact]
    public void HugeMetadataCount()
    {
        var error = OpenFails(new RawGguf().Header(3, 0, ulong.MaxValue).ToArray());
        Assert.Contains("metadata count", error.Message);
    }

    [Fact]
    public void HugeTensorCount()
    {
        var error = OpenFails(new RawGguf().Header(3, 1ul << 50, 0).ToArray());
        Assert.Contains("tensor count", error.Message);
    }

    [Fact]
    public void UnknownValueType()
    {
        var error = OpenFails(new RawGguf().Header(3, 0, 1).Str("k").U32(13).U32(0).ToArray());
        Assert.Contains("unknown value type id 13", error.Message);
    }

    [Fact]
    public void BoolOutOfRange()
    {
        OpenFails(new RawGguf().Header(3, 0, 1).Str("flag").U32(7).U8(2).ToArray());
    }

    [Fact]
    public void MisalignedOffset()
    {
        var bytes = new RawGguf().Header(3, 1, 0).TensorInfo("w", 0, 8, 4).Align(32).Bytes(new byte[64]).ToArray();
        var error = OpenFails(bytes);
        Assert.Contains("not a multiple of the alignment 32", error.Message);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(48u)]
    public void BadAlignment(uint alignment)
    {
        var error = OpenFails(new RawGguf().Header(3, 0, 1).KvU32("general.alignment", alignment).ToArray());
        Assert.Contains("general.alignment", error.Message);
    }

    [Fact]
    public void AlignmentOfWrongType()
    {
        OpenFails(new RawGguf().Header(3, 0, 1).KvString("general.alignment", "32").ToArray());
    }

    [Fact]
    public void DuplicateTensorName()
    {
        var bytes = new RawGguf().Header(3, 2, 0).TensorInfo("w", 0, 0, 4).TensorInfo("w", 0, 32, 4).Align(32).Bytes(new byte[64]).ToArray();
        var error = OpenFails(bytes);
        Assert.Contains("duplicate tensor name 'w'", error.Message);
    }

    [Fact]
    public void DuplicateMetadataKey()
    {
        var error = OpenFails(new RawGguf().Header(3, 0, 2).KvU32("k", 1).KvU32("k", 2).ToArray());
        Assert.Contains("duplicate metadata key 'k'", error.Message);
    }

    [Fact]
    public void DeeplyNestedArrays()
    {
        var g = new RawGguf().Header(3, 0, 1).Str("deep").U32(9);
        for (int i = 0; i < 20; i++) g.U32(9).U64(1);
        g.U32(4).U64(0);
        OpenFails(g.ToArray());
    }

    [Fact]
    public void EmptyFile()
    {
        OpenFails([]);
    }

    [Fact]
    public void MissingFile()
    {
        using var dir = new TempDir();
        string path = dir.File("nope.gguf");
        var error = Assert.Throws<ModelFormatException>(() => GgufFile.Open(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("not found", error.Message);
    }
}

internal static class RawGgufExtensions
{
    public static RawGguf Also(this RawGguf g, Action<RawGguf> action)
    {
        action(g);
        return g;
    }
}
