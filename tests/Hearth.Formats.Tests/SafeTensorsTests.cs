using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Hearth.Core;
using Hearth.Formats.SafeTensors;

namespace Hearth.Formats.Tests;

public class SafeTensorsTests
{
    /// <summary>A safetensors file built by hand: u64 header length, the JSON text, then the data bytes.</summary>
    internal static byte[] Build(string json, byte[] data, ulong? headerLength = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    private static ModelFormatException OpenFails(byte[] bytes)
    {
        using var dir = new TempDir();
        string path = dir.Write("bad.safetensors", bytes);
        var error = Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.Contains(path, error.Message);
        return error;
    }

    [Fact]
    public void HandBuiltFile_IsRead()
    {
        var data = TestData.RandomBytes(24 + 4, 3);
        string json = """{"__metadata__":{"format":"pt"},"b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}""";
        using var dir = new TempDir();
        using var file = SafeTensorsFile.Open(dir.Write("x.safetensors", Build(json, data)));

        Assert.Equal("pt", file.HeaderMetadata["format"]);
        Assert.Equal(["b", "a"], file.Tensors.Select(t => t.Name));
        var a = file.Find("a")!;
        Assert.Equal(TensorType.F32, a.Type);
        Assert.Equal(new Shape(2, 3), a.Shape);
        Assert.Equal(data.AsSpan(0, 24).ToArray(), a.Bytes.ToArray());
        var b = file.Find("b")!;
        Assert.Equal(TensorType.BF16, b.Type);
        Assert.Equal(data.AsSpan(24, 4).ToArray(), b.Bytes.ToArray());
        Assert.Same(file, b.Owner);
    }

    [Fact]
    public void EveryDType_RoundTrips_WithScalarAndEmptyTensors()
    {
        var types = new[] { TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.F64, TensorType.I8, TensorType.I16, TensorType.I32, TensorType.I64 };
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", "pt");
        var expected = new List<(string, TensorType, Shape, byte[])>();
        int seed = 10;
        foreach (var type in types)
        {
            foreach (var shape in new[] { new Shape(3, 5), new Shape(), new Shape(2, 0, 4) })
            {
                string name = $"{type}.{shape.Rank}";
                var data = TestData.RandomBytes((int)(shape.ElementCount * TensorTypes.Info(type).BlockBytes), seed++);
                writer.AddTensor(name, type, shape, data);
                expected.Add((name, type, shape, data));
            }
        }
        using var dir = new TempDir();
        string path = dir.File("all.safetensors");
        writer.Write(path);

        var raw = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(raw);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal((byte)'{', raw[8]);
        using (var doc = JsonDocument.Parse(raw.AsMemory(8, (int)headerLength)))
            Assert.Equal("F16", doc.RootElement.GetProperty("F16.2").GetProperty("dtype").GetString());

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal("pt", file.HeaderMetadata["format"]);
        Assert.Equal(expected.Count, file.Tensors.Count);
        foreach (var (name, type, shape, data) in expected)
        {
            var t = file.Find(name)!;
            Assert.Equal(type, t.Type);
            Assert.Equal(shape, t.Shape);
            Assert.Equal(data, t.Bytes.ToArray());
        }
    }

    [Fact]
    public void Writer_RejectsUnsupportedTypeAndWrongLength()
    {
        var writer = new SafeTensorsWriter();
        Assert.Throws<ArgumentException>(() => writer.AddTensor("q", TensorType.Q4_0, new Shape(32), new byte[18]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("f", TensorType.F32, new Shape(2), new byte[7]));
    }

    [Fact]
    public void HeaderLengthPastEndOfFile()
    {
        var error = OpenFails(Build("{}", [], headerLength: 1000));
        Assert.Contains("header length 1000", error.Message);
    }

    [Fact]
    public void HeaderLengthAbsurd()
    {
        var error = OpenFails(Build("{}", [], headerLength: ulong.MaxValue));
        Assert.Contains("100 MB", error.Message);
    }

    [Fact]
    public void FileShorterThanHeaderLength()
    {
        var error = OpenFails([1, 2, 3]);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void MalformedJson()
    {
        var error = OpenFails(Build("{\"a\": {\"dtype\": \"F32\",", []));
        Assert.Contains("malformed JSON", error.Message);
    }

    [Fact]
    public void HeaderNotAnObject()
    {
        OpenFails(Build("[1, 2]  ", []));
    }

    [Theory]
    [InlineData("BOOL")]
    [InlineData("U8")]
    [InlineData("F8_E4M3")]
    [InlineData("Q4_0")]
    public void UnsupportedDType(string dtype)
    {
        var error = OpenFails(Build("{\"mask\":{\"dtype\":\"" + dtype + "\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]));
        Assert.Contains("'mask'", error.Message);
        Assert.Contains(dtype, error.Message);
    }

    [Fact]
    public void OffsetsPastTheData()
    {
        var error = OpenFails(Build("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[8]));
        Assert.Contains("'w'", error.Message);
        Assert.Contains("out of range", error.Message);
    }

    [Fact]
    public void OffsetsReversed()
    {
        OpenFails(Build("""{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", new byte[8]));
    }

    [Fact]
    public void NegativeOffset()
    {
        OpenFails(Build("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}""", new byte[8]));
    }

    [Fact]
    public void WrongLengthForShape()
    {
        var error = OpenFails(Build("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]));
        Assert.Contains("needs 12 bytes", error.Message);
    }

    [Fact]
    public void ShapeProductOverflows()
    {
        OpenFails(Build("""{"w":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}""", new byte[8]));
    }

    [Fact]
    public void NegativeOrFractionalDimension()
    {
        OpenFails(Build("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", new byte[8]));
        OpenFails(Build("""{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}""", new byte[8]));
    }

    [Fact]
    public void OverlappingTensors()
    {
        var error = OpenFails(Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]));
        Assert.Contains("overlap", error.Message);
    }

    [Fact]
    public void DuplicateTensorName()
    {
        var error = OpenFails(Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]));
        Assert.Contains("duplicate tensor name 'a'", error.Message);
    }

    [Fact]
    public void MetadataValueNotAString()
    {
        OpenFails(Build("""{"__metadata__":{"n":1}}""", []));
    }

    [Fact]
    public void NonNumericDataOffsets()
    {
        var error = OpenFails(Build("""{"w":{"dtype":"F32","shape":[1],"data_offsets":["0",4]}}""", new byte[4]));
        Assert.Contains("\"data_offsets\" must be an array of two integers", error.Message);
    }

    [Fact]
    public void MissingDataOffsets()
    {
        OpenFails(Build("""{"w":{"dtype":"F32","shape":[1]}}""", new byte[4]));
    }
}
