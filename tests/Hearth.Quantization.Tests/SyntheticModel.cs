using System.Runtime.InteropServices;
using Hearth.Core;
using Hearth.Core.Quants;
using Hearth.Formats.Gguf;

namespace Hearth.Quantization.Tests;

/// <summary>
/// A random Llama GGUF (F16 weights) whose rows are multiples of 256, so the K-quants apply (the tiny
/// test models have 64-wide rows): dim 256, 8 layers, 4 heads of 64, 2 KV heads, ffn 256, with the tiny
/// llama3-gqa tokenizer and chat template. Written once per test run into the temp folder.
/// </summary>
internal static class SyntheticModel
{
    public const int Dim = 256, Layers = 8, Heads = 4, KvHeads = 2, HeadDim = 64, Ffn = 256;

    private static readonly Lazy<string> File = new(Write);

    public static string Path => File.Value;

    private static string Write()
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hearth-quantize-tests-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string path = System.IO.Path.Combine(dir, "synthetic-f16.gguf");
        using var tiny = GgufFile.Open(RepoPaths.Tiny("llama3-gqa/model-f32.gguf"));
        int vocab = tiny.Find("token_embd.weight")!.Shape[0];
        var w = new GgufWriter();
        w.Add("general.architecture", GgufValue.Of("llama"));
        w.Add("general.name", GgufValue.Of("synthetic-256"));
        w.Add("general.file_type", GgufValue.Of(1u));
        w.Add("llama.context_length", GgufValue.Of(128u));
        w.Add("llama.embedding_length", GgufValue.Of((uint)Dim));
        w.Add("llama.block_count", GgufValue.Of((uint)Layers));
        w.Add("llama.feed_forward_length", GgufValue.Of((uint)Ffn));
        w.Add("llama.attention.head_count", GgufValue.Of((uint)Heads));
        w.Add("llama.attention.head_count_kv", GgufValue.Of((uint)KvHeads));
        w.Add("llama.attention.layer_norm_rms_epsilon", GgufValue.Of(1e-5f));
        w.Add("llama.rope.freq_base", GgufValue.Of(10000f));
        w.Add("llama.rope.dimension_count", GgufValue.Of((uint)HeadDim));
        foreach (var (key, value) in tiny.Metadata)
            if (key.StartsWith("tokenizer.", StringComparison.Ordinal)) w.Add(key, value);

        var rng = new Random(42);
        void Matrix(string name, int rows, int cols) => w.AddTensor(name, TensorType.F16, new Shape(rows, cols), RandomF16(rng, rows * cols));
        void Norm(string name) => w.AddTensor(name, TensorType.F32, new Shape(Dim), MemoryMarshal.AsBytes(Enumerable.Repeat(1f, Dim).ToArray().AsSpan()).ToArray());
        Matrix("token_embd.weight", vocab, Dim);
        for (int l = 0; l < Layers; l++)
        {
            Norm($"blk.{l}.attn_norm.weight");
            Matrix($"blk.{l}.attn_q.weight", Heads * HeadDim, Dim);
            Matrix($"blk.{l}.attn_k.weight", KvHeads * HeadDim, Dim);
            Matrix($"blk.{l}.attn_v.weight", KvHeads * HeadDim, Dim);
            Matrix($"blk.{l}.attn_output.weight", Dim, Heads * HeadDim);
            Norm($"blk.{l}.ffn_norm.weight");
            Matrix($"blk.{l}.ffn_gate.weight", Ffn, Dim);
            Matrix($"blk.{l}.ffn_up.weight", Ffn, Dim);
            Matrix($"blk.{l}.ffn_down.weight", Dim, Ffn);
        }
        Norm("output_norm.weight");
        Matrix("output.weight", vocab, Dim);
        w.Write(path);
        return path;
    }

    private static byte[] RandomF16(Random rng, int count)
    {
        var bytes = new byte[2 * count];
        for (int i = 0; i < count; i++)
        {
            double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            float v = (float)(0.05 * g);
            if (rng.Next(1000) == 0) v *= 20; // occasional outliers, as in trained weights
            BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), Fp16.FloatToHalf(v));
        }
        return bytes;
    }
}
