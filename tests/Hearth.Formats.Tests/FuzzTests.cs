using System.Diagnostics;
using Xunit.Abstractions;
using Hearth.Core;
using Hearth.Formats.Gguf;
using Hearth.Formats.SafeTensors;

namespace Hearth.Formats.Tests;

/// <summary>
/// Seeded mutation fuzzing of headers: every mutated file must open or fail with
/// <see cref="ModelFormatException"/>; nothing else may escape, and a file that opens must only
/// expose tensor views inside the file (touching their first and last bytes must not fault).
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 3000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(8);

    private static byte[] SmallGguf()
    {
        var writer = new GgufWriter();
        writer.Add("general.architecture", GgufValue.Of("llama"));
        writer.Add("llama.block_count", GgufValue.Of(2u));
        writer.Add("scale", GgufValue.Of(0.25f));
        writer.Add("tokenizer.ggml.tokens", GgufValue.Of(["<s>", "a", "bc"]));
        writer.Add("nested", new GgufValue(GgufValueType.Array, new GgufValue[] { GgufValue.Of([1, 2, 3]) }, GgufValueType.Array));
        writer.Add("flag", GgufValue.Of(true));
        writer.AddTensor("q", TensorType.Q4_0, new Shape(2, 32), TestData.RandomBytes(36, 1));
        writer.AddTensor("f", TensorType.F16, new Shape(3, 5), TestData.RandomBytes(30, 2));
        using var stream = new MemoryStream();
        writer.Write(stream);
        return stream.ToArray();
    }

    private static byte[] SmallSafeTensors()
    {
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", "pt");
        writer.AddTensor("embed.weight", TensorType.BF16, new Shape(4, 3), TestData.RandomBytes(24, 3));
        writer.AddTensor("norm.weight", TensorType.F32, new Shape(3), TestData.RandomBytes(12, 4));
        using var dir = new TempDir();
        string path = dir.File("s.safetensors");
        writer.Write(path);
        return File.ReadAllBytes(path);
    }

    private void Fuzz(byte[] valid, int headerLength, int seed, Func<string, ITensorSource> open)
    {
        using var dir = new TempDir();
        string path = dir.File("fuzz.bin");
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        int opened = 0, rejected = 0;
        for (int iteration = 0; iteration < Iterations && clock.Elapsed < Budget; iteration++)
        {
            var bytes = (byte[])valid.Clone();
            int mutations = random.Next(1, 9);
            for (int m = 0; m < mutations; m++)
            {
                int at = random.Next(headerLength);
                bytes[at] = random.Next(4) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)(bytes[at] ^ (1 << random.Next(8))),
                    2 => 0xFF,
                    _ => 0,
                };
            }
            int length = random.Next(8) == 0 ? random.Next(bytes.Length) : bytes.Length;
            File.WriteAllBytes(path, bytes.AsSpan(0, length).ToArray());
            try
            {
                using var source = open(path);
                foreach (var tensor in source.Tensors)
                {
                    Assert.InRange(tensor.ByteLength, 0, length);
                    if (tensor.ByteLength > 0)
                    {
                        var span = tensor.Bytes;
                        _ = span[0] + span[^1]; // touching bytes outside the mapping would fault here
                    }
                }
                opened++;
            }
            catch (ModelFormatException e)
            {
                Assert.Contains(path, e.Message);
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration} (seed {seed}): {e.GetType().Name} escaped: {e}");
            }
        }
        output.WriteLine($"{opened + rejected} iterations in {clock.ElapsedMilliseconds} ms: {opened} opened, {rejected} rejected");
        Assert.True(opened + rejected >= 200, $"only {opened + rejected} iterations ran within the budget");
        Assert.True(rejected > 0, "no mutation was rejected: the fuzzer is not reaching the parser");
    }

    [Fact]
    public void MutatedGgufHeaders_OpenOrThrowModelFormatException()
    {
        var valid = SmallGguf();
        int headerLength;
        using (var dir = new TempDir())
        using (var file = GgufFile.Open(dir.Write("v.gguf", valid)))
            headerLength = (int)file.DataOffset;
        Fuzz(valid, headerLength, seed: 20240601, GgufFile.Open);
    }

    [Fact]
    public void MutatedSafeTensorsHeaders_OpenOrThrowModelFormatException()
    {
        var valid = SmallSafeTensors();
        int headerLength = 8 + (int)BitConverter.ToUInt64(valid, 0);
        Fuzz(valid, headerLength, seed: 7, SafeTensorsFile.Open);
    }
}
