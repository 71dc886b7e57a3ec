using Hearth.Compute;
using Hearth.Core;
using Hearth.Models;
using Hearth.Runtime.Generation;
using Hearth.Tokenizers;

namespace Hearth.Runtime.Tests.Fakes;

/// <summary>
/// A fake model whose step graph is embedding -> take last row; the <see cref="ScriptedDevice"/>
/// running it produces logits from a rule over (last token, its position).
/// </summary>
public sealed class ScriptedModel(int contextLength = 64) : IGenerativeModel
{
    public CharTokenizer CharTokenizer { get; } = new();
    public ITokenizer Tokenizer => CharTokenizer;
    public IReadOnlyList<int> EosIds => [CharTokenizer.Eos];
    public int GraphsBuilt { get; private set; }

    public ModelConfig Config => new()
    {
        Architecture = "llama",
        VocabSize = CharTokenizer.VocabSize,
        Dim = 4,
        LayerCount = 2,
        HeadCount = 1,
        KvHeadCount = 1,
        HeadDim = 4,
        FfnDim = 8,
        ContextLength = contextLength,
        RmsNormEps = 1e-5f,
        RopeTheta = 10000,
        RopeMode = RopeMode.NeoX,
    };

    public ComputeGraph BuildStepGraph(int tokenCount, KvCacheBuffers cache, bool allLogits)
    {
        GraphsBuilt++;
        int vocab = Config.VocabSize;
        var graph = new ComputeGraph();
        var tokens = graph.Input("tokens", tokenCount);
        graph.Input("positions", tokenCount);
        // The fake device never reads weight bytes, so the tensor points nowhere.
        var table = graph.Weight(new HostTensor("table", TensorType.F32, new Shape(vocab, vocab), 0, 4L * vocab * vocab, null));
        var all = graph.Embedding("embed", table, tokens);
        var logits = allLogits ? all : graph.TakeLastRows("logits", all, 1);
        graph.MarkOutput(logits);
        return graph;
    }
}

/// <summary>Runs a <see cref="ScriptedModel"/> graph: logits peak at rule(lastToken, lastPosition).</summary>
public sealed class ScriptedDevice(Func<int, int, int> nextToken) : IComputeDevice
{
    public List<(int[] Tokens, int[] Positions)> Runs { get; } = [];
    public int Compiles { get; private set; }
    public string BackendName => "scripted";
    public string Description => "test device";
    public bool Supports(Node node) => true;

    public IStateBuffer AllocateState(string name, TensorType type, Shape shape) => new State(name, type, shape);

    public IExecutable Compile(ComputeGraph graph)
    {
        Compiles++;
        return new Executable(this, graph);
    }

    public void Dispose() { }

    private sealed class State(string name, TensorType type, Shape shape) : IStateBuffer
    {
        public string Name => name;
        public TensorType Type => type;
        public Shape Shape => shape;
        public void Clear(int fromRow = 0) { }
        public void ReadRows(int fromRow, int count, Span<float> destination) => destination.Clear();
        public void CopyRows(int srcRow, int dstRow, int count) { }
        public void Dispose() { }
    }

    private sealed class Executable(ScriptedDevice device, ComputeGraph graph) : IExecutable
    {
        private int[] _tokens = [];
        private int[] _positions = [];
        public ComputeGraph Graph => graph;

        public void SetInput(Node input, ReadOnlySpan<int> values)
        {
            if (values.Length != input.Shape[0]) throw new InvalidOperationException($"input {input.Name} expects {input.Shape[0]} values, got {values.Length}");
            if (input.Name == "tokens") _tokens = values.ToArray();
            else _positions = values.ToArray();
        }

        public void Run() => device.Runs.Add((_tokens, _positions));

        public void Read(Node node, Span<float> destination)
        {
            destination.Fill(-1f);
            destination[device.NextTokenFor(_tokens[^1], _positions[^1])] = 5f;
        }

        public void Dispose() { }
    }

    private int NextTokenFor(int token, int position) => nextToken(token, position);

    /// <summary>A device whose model "recites" <paramref name="text"/> after a prompt of <paramref name="promptLength"/> tokens,
    /// then emits EOS (or keeps cycling with <paramref name="cycle"/>).</summary>
    public static ScriptedDevice Reciting(string text, int promptLength, bool cycle = false) => new((token, position) =>
    {
        int index = position + 1 - promptLength;
        if (index < 0) return CharTokenizer.Id('a');
        if (cycle) index %= text.Length;
        return index < text.Length ? CharTokenizer.Id(text[index]) : CharTokenizer.Eos;
    });
}
