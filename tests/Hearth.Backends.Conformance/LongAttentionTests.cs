using Hearth.Core;
using Hearth.Testing;

namespace Hearth.Backends.Conformance;

/// <summary>
/// Attention shapes that pick the Vulkan backend's split-K kernel (1-3 query rows over 300-2000 cached positions) and
/// its flash kernel (up to 70 query rows), for every backend against cpu-ref: odd head dimensions, GQA ratios 1, 2,
/// 3, 4, 7, 9 and 12, sliding windows, contiguous caches and paged ones (block size 16, shuffled blocks, several sequences in one
/// step), F32 and F16 caches. Same tolerance as the other attention tests.
/// </summary>
public class LongAttentionTests
{
    private const double Tolerance = 1e-5;

    // (cacheType, heads, kvHeads, headDim, window, blockSize, context, rows, sequences); sequences < 0: -sequences
    // sequences whose rows are adjacent in the step (else interleaved row by row)
    private static readonly (TensorType, int, int, int, int, int, int, int, int)[] Shapes =
    [
        // decode-shaped: few rows, long contexts
        (TensorType.F32, 4, 4, 12, 0, 16, 300, 1, 1),
        (TensorType.F16, 4, 2, 21, 0, 16, 777, 2, 2),
        (TensorType.F32, 8, 2, 40, 0, 0, 2000, 1, 1),
        (TensorType.F16, 8, 2, 67, 100, 16, 1500, 3, 3),
        (TensorType.F16, 4, 1, 128, 0, 0, 1025, 2, 1),
        (TensorType.F32, 6, 3, 64, 333, 0, 900, 3, 1),
        // groups past 8 heads and not a multiple of 8 (the cpu backend scores 8 heads at once, key by key)
        (TensorType.F32, 14, 2, 20, 0, 16, 500, 2, 2),
        (TensorType.F16, 9, 1, 32, 0, 0, 700, 1, 1),
        // prefill-shaped: many rows
        (TensorType.F32, 4, 2, 20, 0, 0, 80, 70, 1),
        (TensorType.F16, 6, 2, 37, 0, 16, 90, 33, 3),
        (TensorType.F16, 4, 4, 16, 9, 16, 70, 70, 1),
        (TensorType.F32, 2, 1, 100, 0, 0, 61, 7, 1),
        (TensorType.F32, 8, 8, 13, 0, 16, 45, 45, 1),
        (TensorType.F16, 8, 2, 24, 30, 16, 200, 64, 2),
        (TensorType.F32, 4, 2, 48, 0, 16, 150, 50, -3),
        (TensorType.F16, 12, 3, 40, 50, 16, 300, 57, -2),
        (TensorType.F32, 12, 1, 24, 64, 16, 120, 40, 1),
    ];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var backend in Backends.UnderTest())
            for (int i = 0; i < Shapes.Length; i++) data.Add(backend, i);
        return data;
    }

    internal static AttentionScenario Scenario(int index)
    {
        var (cacheType, heads, kvHeads, headDim, window, blockSize, context, rows, sequences) = Shapes[index];
        return AttentionScenario.Make(1000 + index, cacheType, heads, kvHeads, headDim, window, blockSize, context, rows, Math.Abs(sequences), sequences < 0);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Long_and_many_row_attention_matches_reference(string backend, int shape)
    {
        var scenario = Scenario(shape);
        using var oracle = Backends.Create(Backends.Oracle);
        using var device = Backends.Create(backend);
        Compare.Close(scenario.Run(oracle), scenario.Run(device), Tolerance, $"{backend} attention {scenario.Describe()}");
    }
}
