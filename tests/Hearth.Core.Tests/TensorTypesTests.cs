namespace Hearth.Core.Tests;

public class TensorTypesTests
{
    [Theory]
    [InlineData(TensorType.F32, 10, 40)]
    [InlineData(TensorType.F16, 3, 6)]
    [InlineData(TensorType.BF16, 4096, 8192)]
    [InlineData(TensorType.Q4_0, 64, 36)]
    [InlineData(TensorType.Q8_0, 4096, 128 * 34)]
    [InlineData(TensorType.Q4_K, 4096, 16 * 144)]
    [InlineData(TensorType.Q6_K, 256, 210)]
    [InlineData(TensorType.Q8_K, 0, 0)]
    public void RowBytes(TensorType type, long elements, long expected) =>
        Assert.Equal(expected, TensorTypes.RowBytes(type, elements));

    [Fact]
    public void RowBytes_rejects_partial_blocks()
    {
        var ex = Assert.Throws<HearthException>(() => TensorTypes.RowBytes(TensorType.Q4_K, 100));
        Assert.Contains("Q4_K", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TensorBytes()
    {
        Assert.Equal(3 * 2 * 210, TensorTypes.TensorBytes(TensorType.Q6_K, new Shape(3, 512)));
        Assert.Equal(2 * 5 * 7 * 4, TensorTypes.TensorBytes(TensorType.F32, new Shape(2, 5, 7)));
        Assert.Equal(4, TensorTypes.TensorBytes(TensorType.F32, new Shape()));   // a scalar
        Assert.Equal(0, TensorTypes.TensorBytes(TensorType.Q4_0, new Shape(0, 32)));
        Assert.Throws<HearthException>(() => TensorTypes.TensorBytes(TensorType.Q4_0, new Shape(2, 48)));
    }

    [Fact]
    public void Info_and_parse()
    {
        Assert.Equal(32, TensorTypes.Info(TensorType.Q5_1).BlockSize);
        Assert.True(TensorTypes.Info(TensorType.Q2_K).IsQuantized);
        Assert.False(TensorTypes.Info(TensorType.BF16).IsQuantized);
        Assert.Throws<HearthException>(() => TensorTypes.Info((TensorType)42));
        Assert.True(TensorTypes.TryParse("q4_k", out var t));
        Assert.Equal(TensorType.Q4_K, t);
        Assert.False(TensorTypes.TryParse("Q9_9", out _));
        Assert.Equal(15, (int)TensorType.Q8_K);   // GGML type ids
        Assert.Equal(30, (int)TensorType.BF16);
    }
}
