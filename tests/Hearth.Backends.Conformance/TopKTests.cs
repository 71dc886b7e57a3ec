using Hearth.Compute;

namespace Hearth.Backends.Conformance;

/// <summary>
/// TopK (the sampler's candidates) on every backend, cpu-ref included, against an independent sort of each row: values
/// and indices exact (ties to the lower index, NaN as -inf), the maximum exact, log(sum(exp(x - max))) to 1e-5.
/// Rows with ties, -inf and NaN; vocabulary-sized rows (32000, 32001, 151936) as the runtime uses it.
/// </summary>
public class TopKTests
{
    public static TheoryData<string> All()
    {
        var data = new TheoryData<string> { Backends.Oracle };
        foreach (var name in Backends.UnderTest()) if (name != Backends.Oracle) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public void TopK_matches_an_independent_sort(string backend)
    {
        var random = new Random(23);
        foreach (var (rows, n, k) in new[] { (1, 1, 1), (2, 7, 5), (3, 31, 7), (1, 32000, 64), (2, 32001, 5), (1, 151936, 1), (2, 300, 256) })
        {
            var x = Weights.RandomFloats(random, rows * n, 8);
            for (int i = 0; i < x.Length; i++)
            {
                if (i % 5 == 0) x[i] = x[random.Next(x.Length)];  // ties
                if (i % 97 == 3) x[i] = float.NegativeInfinity;
                if (i % 101 == 4) x[i] = float.NaN;
            }
            if (rows > 1) Array.Fill(x, 1.5f, n, Math.Min(n, 9));  // a run of equal maxima in row 1
            var input = Weights.F32("x", x, rows, n);
            var actual = OpRunner.Run(backend, (d, g) => (g.TopK("y", g.Weight(input), k), []));
            for (int r = 0; r < rows; r++)
            {
                var row = x.AsSpan(r * n, n).ToArray().Select((v, i) => (V: float.IsNaN(v) ? float.NegativeInfinity : v, I: i)).ToArray();
                var expected = row.OrderByDescending(e => e.V).ThenBy(e => e.I).Take(k).ToArray();
                var o = actual.AsSpan(r * (2 * k + 2), 2 * k + 2);
                string what = $"{backend} rows={rows} n={n} k={k} row {r}";
                for (int j = 0; j < k; j++)
                {
                    Assert.True(expected[j].V.Equals(o[j]), $"{what}: value {j} is {o[j]}, expected {expected[j].V}");
                    Assert.True(expected[j].I == o[k + j], $"{what}: index {j} is {o[k + j]}, expected {expected[j].I}");
                }
                float max = expected[0].V;
                Assert.Equal(max, o[2 * k]);
                double lse = Math.Log(row.Sum(e => Math.Exp((double)e.V - max)));
                Assert.True(Math.Abs(o[2 * k + 1] - lse) <= 1e-5 * Math.Max(1, Math.Abs(lse)), $"{what}: log-sum {o[2 * k + 1]}, expected {lse}");
            }
        }
    }

    [Fact]
    public void TopK_rejects_a_k_past_the_row_or_the_limit()
    {
        var g = new ComputeGraph();
        var x = g.Weight(Weights.F32("x", new float[10], 1, 10));
        Assert.Throws<Hearth.Core.HearthException>(() => g.TopK("y", x, 11));
        Assert.Throws<Hearth.Core.HearthException>(() => g.TopK("y", x, 0));
        var wide = g.Weight(Weights.F32("w", new float[300], 1, 300));
        Assert.Throws<Hearth.Core.HearthException>(() => g.TopK("y", wide, TopKParams.MaxK + 1));
    }
}
