using Hearth.Backends.Cpu;
using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Models.Tests;

/// <summary>
/// The batched step graph over a paged cache (shuffled blocks, two sequences per step, prefill of one mixed with the
/// other's): each row's logits match the PyTorch goldens, and on every CPU backend they equal, bit for bit, what the
/// single-sequence graph over a contiguous cache gives (batch invariance at model level).
/// </summary>
public class BatchedStepTests
{
    private const float Tolerance = 1e-4f;
    private const int BlockSize = 4;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var variant in new[] { "llama2-mha", "llama3-gqa", "llama-linear-rope", "qwen2-bias-tied", "mistral-swa" })
            foreach (var backend in new[] { CpuBackends.ReferenceName, CpuBackends.FastName })
                data.Add(variant, backend);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Batched_paged_steps_match_the_goldens_and_the_contiguous_graph_exactly(string variant, string backend)
    {
        var golden = TestData.LoadGolden(variant, "f32");
        using var model = Model.Load(Path.Combine(TestData.Tiny, variant, golden.ModelFiles["hf"]));
        var c = model.Config;
        int vocab = c.VocabSize;
        CpuBackends.Register();
        using var device = BackendRegistry.Create(backend);

        // Contiguous reference on the same backend: prefill with all logits, then the golden decode steps.
        var prompt = golden.PromptIds;
        var random = new Random(7);
        int[] other = [.. Enumerable.Range(0, 11).Select(_ => random.Next(vocab))];
        var contiguous = RunContiguous(model, device, prompt, golden.DecodeSteps.Select(s => s.InputId).ToArray());
        var otherContiguous = RunContiguous(model, device, other, [3, 5]);

        // Paged: blocks handed out shuffled; sequence A = golden prompt, B = other.
        int maxBlocks = (c.ContextLength + BlockSize - 1) / BlockSize;
        int numBlocks = 2 * maxBlocks;
        var shape = new Shape(numBlocks * BlockSize, c.KvHeadCount * c.HeadDim);
        var cache = new KvCacheBuffers(
            [.. Enumerable.Range(0, c.LayerCount).Select(i => device.AllocateState($"k{i}", TensorType.F32, shape))],
            [.. Enumerable.Range(0, c.LayerCount).Select(i => device.AllocateState($"v{i}", TensorType.F32, shape))]);
        var free = Enumerable.Range(0, numBlocks).OrderBy(_ => random.Next()).ToArray();
        int[] tableA = free[..maxBlocks], tableB = free[maxBlocks..];

        // Step 1: all of A's prompt (every row's logits) and B's first 6 tokens (last row's logits).
        var rowsA = Enumerable.Range(0, prompt.Length).Select(p => (A: true, Token: prompt[p], Position: p));
        var rowsB = Enumerable.Range(0, 6).Select(p => (A: false, Token: other[p], Position: p));
        var step1 = rowsB.Take(3).Concat(rowsA).Concat(rowsB.Skip(3)).ToArray();
        var logitRows = Enumerable.Range(3, prompt.Length).Append(step1.Length - 1).ToArray();
        var logits1 = RunBatch(model, device, cache, maxBlocks, tableA, tableB, step1, logitRows);
        for (int t = 0; t < prompt.Length; t++)
        {
            var row = logits1.AsSpan(t * vocab, vocab);
            AssertClose(golden.PrefillLogits[t], row, $"{variant} {backend} batched prefill row {t}");
            Assert.Equal(contiguous.Prefill.AsSpan(t * vocab, vocab).ToArray(), row.ToArray());
        }

        // Step 2: the rest of B's prompt together with A's first decode; step 3: both decode.
        var steps = new List<(bool A, int Token, int Position)[]>();
        steps.Add([(false, other[6], 6), (false, other[7], 7), (false, other[8], 8), (false, other[9], 9), (false, other[10], 10),
            (true, golden.DecodeSteps[0].InputId, golden.DecodeSteps[0].Position)]);
        for (int k = 1; k < golden.DecodeSteps.Length; k++)
            steps.Add([(true, golden.DecodeSteps[k].InputId, golden.DecodeSteps[k].Position), (false, k == 1 ? 3 : 5, other.Length + k - 1)]);
        for (int s = 0; s < steps.Count; s++)
        {
            var rows = steps[s];
            int aRow = Array.FindIndex(rows, r => r.A);
            var logits = RunBatch(model, device, cache, maxBlocks, tableA, tableB, rows, [aRow, rows.Length - 1 == aRow ? 0 : rows.Length - 1]);
            var a = logits.AsSpan(0, vocab);
            AssertClose(golden.DecodeSteps[s].Logits, a, $"{variant} {backend} batched decode {s}");
            Assert.Equal(contiguous.Decodes[s], a.ToArray());
            if (s == 2) Assert.Equal(otherContiguous.Decodes[1], logits.AsSpan(vocab, vocab).ToArray());
        }
        foreach (var b in cache.Keys.Concat(cache.Values)) b.Dispose();
    }

    private static float[] RunBatch(Model model, IComputeDevice device, KvCacheBuffers cache, int maxBlocks, int[] tableA, int[] tableB,
        (bool A, int Token, int Position)[] rows, int[] logitRows)
    {
        var graph = model.BuildBatchStepGraph(new BatchStepShape(rows.Length, logitRows.Length, BlockSize, maxBlocks), cache);
        using var exe = device.Compile(graph);
        exe.SetInput(graph.Find("tokens")!, [.. rows.Select(r => r.Token)]);
        exe.SetInput(graph.Find("positions")!, [.. rows.Select(r => r.Position)]);
        exe.SetInput(graph.Find("kv_slots")!, [.. rows.Select(r => (r.A ? tableA : tableB)[r.Position / BlockSize] * BlockSize + r.Position % BlockSize)]);
        exe.SetInput(graph.Find("block_tables")!, [.. rows.SelectMany(r => r.A ? tableA : tableB)]);
        exe.SetInput(graph.Find("logit_rows")!, logitRows);
        exe.Run();
        var logits = graph.Find("logits")!;
        var result = new float[logits.Shape.ElementCount];
        exe.Read(logits, result);
        return result;
    }

    private static (float[] Prefill, List<float[]> Decodes) RunContiguous(Model model, IComputeDevice device, int[] prompt, int[] decodeIds)
    {
        var c = model.Config;
        var shape = new Shape(c.ContextLength, c.KvHeadCount * c.HeadDim);
        var cache = new KvCacheBuffers(
            [.. Enumerable.Range(0, c.LayerCount).Select(i => device.AllocateState($"ck{i}", TensorType.F32, shape))],
            [.. Enumerable.Range(0, c.LayerCount).Select(i => device.AllocateState($"cv{i}", TensorType.F32, shape))]);
        float[] Run(int[] tokens, int start, bool all)
        {
            var graph = model.BuildStepGraph(tokens.Length, cache, all);
            using var exe = device.Compile(graph);
            exe.SetInput(graph.Find("tokens")!, tokens);
            exe.SetInput(graph.Find("positions")!, [.. Enumerable.Range(start, tokens.Length)]);
            exe.Run();
            var logits = graph.Find("logits")!;
            var result = new float[logits.Shape.ElementCount];
            exe.Read(logits, result);
            return result;
        }
        var prefill = Run(prompt, 0, true);
        var decodes = decodeIds.Select((id, k) => Run([id], prompt.Length + k, false)).ToList();
        foreach (var b in cache.Keys.Concat(cache.Values)) b.Dispose();
        return (prefill, decodes);
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = MathF.Max(worst, MathF.Abs(expected[i] - actual[i]));
        Assert.True(worst <= Tolerance, $"{what}: max abs diff {worst:g4}");
    }

    [Fact]
    public void Batched_graph_has_the_paged_inputs_and_gathers_the_logit_rows()
    {
        var golden = TestData.LoadGolden("llama3-gqa", "f32");
        using var model = Model.Load(Path.Combine(TestData.Tiny, "llama3-gqa", golden.ModelFiles["hf"]));
        var c = model.Config;
        var cache = FakeStateBuffer.Cache(c);
        var graph = model.BuildBatchStepGraph(new BatchStepShape(7, 3, BlockSize, 5), cache);
        foreach (var (name, length) in new[] { ("tokens", 7), ("positions", 7), ("kv_slots", 7), ("block_tables", 35), ("logit_rows", 3) })
        {
            Assert.Equal(OpKind.Input, graph.Find(name)!.Op);
            Assert.Equal(length, graph.Find(name)!.Shape[0]);
        }
        Assert.Equal(new Shape(3, c.VocabSize), graph.Find("logits")!.Shape);
        Assert.Equal(OpKind.GatherRows, graph.Find("logits")!.Inputs[0].Op);
        var attention = graph.Find("blk.0.attn")!;
        Assert.Equal(5, attention.Inputs.Count);
        Assert.Equal(BlockSize, attention.P<AttentionParams>().BlockSize);
        Assert.Throws<HearthException>(() => model.BuildBatchStepGraph(new BatchStepShape(2, 3, BlockSize, 5), cache));
        Assert.Throws<HearthException>(() => model.BuildBatchStepGraph(new BatchStepShape(2, 1, 0, 5), cache));
    }
}
