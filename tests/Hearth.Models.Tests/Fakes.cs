using Hearth.Compute;
using Hearth.Core;
using Hearth.Formats;
using Hearth.Models;

namespace Hearth.Models.Tests;

/// <summary>A tensor source of shape-only tensors (no data), for name-map, validation and graph tests.</summary>
internal sealed class FakeTensorSource(string path, IEnumerable<HostTensor> tensors) : ITensorSource
{
    private readonly Dictionary<string, HostTensor> _byName = tensors.ToDictionary(t => t.Name);

    public string Path => path;
    public IReadOnlyList<HostTensor> Tensors => [.. _byName.Values];
    public HostTensor? Find(string name) => _byName.GetValueOrDefault(name);
    public void Dispose() { }

    public FakeTensorSource Without(string name) => new(path, _byName.Values.Where(t => t.Name != name));

    public FakeTensorSource With(HostTensor tensor) => new(path, _byName.Values.Where(t => t.Name != tensor.Name).Append(tensor));

    public static HostTensor Tensor(string name, TensorType type, params int[] shape)
    {
        var s = new Shape(shape);
        return new HostTensor(name, type, s, 0, TensorTypes.TensorBytes(type, s), null);
    }

    /// <summary>Every tensor a Llama-family model with <paramref name="c"/> needs, in the given naming.</summary>
    public static FakeTensorSource For(ModelConfig c, WeightNaming naming, TensorType linearType = TensorType.F16, bool withOutput = true, bool withBias = false)
    {
        string N(string role, int layer = 0) => Llama.LlamaTensorNames.Name(naming, role, layer);
        int q = c.HeadCount * c.HeadDim, kv = c.KvHeadCount * c.HeadDim;
        var list = new List<HostTensor>
        {
            Tensor(N("token_embd"), linearType, c.VocabSize, c.Dim),
            Tensor(N("output_norm"), TensorType.F32, c.Dim),
        };
        if (withOutput) list.Add(Tensor(N("output"), linearType, c.VocabSize, c.Dim));
        for (int i = 0; i < c.LayerCount; i++)
        {
            list.Add(Tensor(N("attn_norm", i), TensorType.F32, c.Dim));
            list.Add(Tensor(N("wq", i), linearType, q, c.Dim));
            list.Add(Tensor(N("wk", i), linearType, kv, c.Dim));
            list.Add(Tensor(N("wv", i), linearType, kv, c.Dim));
            list.Add(Tensor(N("wo", i), linearType, c.Dim, q));
            if (withBias)
            {
                list.Add(Tensor(N("bq", i), TensorType.F32, q));
                list.Add(Tensor(N("bk", i), TensorType.F32, kv));
                list.Add(Tensor(N("bv", i), TensorType.F32, kv));
            }
            list.Add(Tensor(N("ffn_norm", i), TensorType.F32, c.Dim));
            list.Add(Tensor(N("w_gate", i), linearType, c.FfnDim, c.Dim));
            list.Add(Tensor(N("w_up", i), linearType, c.FfnDim, c.Dim));
            list.Add(Tensor(N("w_down", i), linearType, c.Dim, c.FfnDim));
        }
        return new FakeTensorSource(naming == WeightNaming.Gguf ? "fake.gguf" : "fake-hf", list);
    }
}

internal sealed class FakeStateBuffer(string name, TensorType type, Shape shape) : IStateBuffer
{
    public string Name => name;
    public TensorType Type => type;
    public Shape Shape => shape;
    public void Clear(int fromRow = 0) { }
    public void ReadRows(int fromRow, int count, Span<float> destination) => throw new NotSupportedException();
    public void CopyRows(int srcRow, int dstRow, int count) => throw new NotSupportedException();
    public void Dispose() { }

    public static KvCacheBuffers Cache(ModelConfig c, int capacity = 64) => new(
        [.. Enumerable.Range(0, c.LayerCount).Select(i => (IStateBuffer)new FakeStateBuffer($"k{i}", TensorType.F32, new Shape(capacity, c.KvHeadCount * c.HeadDim)))],
        [.. Enumerable.Range(0, c.LayerCount).Select(i => (IStateBuffer)new FakeStateBuffer($"v{i}", TensorType.F32, new Shape(capacity, c.KvHeadCount * c.HeadDim)))]);
}

internal static class Configs
{
    public static ModelConfig Small(string arch = "llama", bool bias = false, bool tied = false, int window = 0, int windowFirstLayer = 0) => new()
    {
        Architecture = arch,
        VocabSize = 96,
        Dim = 64,
        LayerCount = 2,
        HeadCount = 4,
        KvHeadCount = 2,
        HeadDim = 16,
        FfnDim = 128,
        ContextLength = 256,
        RmsNormEps = 1e-5f,
        RopeTheta = 10000,
        RopeMode = RopeMode.NeoX,
        QkvBias = bias,
        TiedEmbeddings = tied,
        SlidingWindow = window,
        SlidingWindowFirstLayer = windowFirstLayer,
    };
}
