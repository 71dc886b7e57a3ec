using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Core.Tests.Quants;

public class DequantValidationTests
{
    public static TheoryData<TensorType> SupportedTypes() =>
        [.. TensorTypes.All.Where(i => Dequant.Supports(i.Type)).Select(i => i.Type)];

    [Theory]
    [MemberData(nameof(SupportedTypes))]
    public void Element_count_not_a_whole_number_of_blocks_throws(TensorType type)
    {
        var info = TensorTypes.Info(type);
        if (info.BlockSize == 1) return; // every count is whole
        var src = new byte[info.BlockBytes * 2];
        var ex = Assert.Throws<ArgumentException>(() => Dequant.Row(type, src, new float[info.BlockSize + 1]));
        Assert.Contains("block size", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RowDot.Dot(type, src, new float[info.BlockSize * 2 - 1]));
    }

    [Theory]
    [MemberData(nameof(SupportedTypes))]
    public void Source_byte_count_must_match_exactly(TensorType type)
    {
        var info = TensorTypes.Info(type);
        var dst = new float[info.BlockSize * 3];
        foreach (int bytes in new[] { info.BlockBytes * 3 - 1, info.BlockBytes * 3 + 1, info.BlockBytes * 2, 0 })
        {
            var ex = Assert.Throws<ArgumentException>(() => Dequant.Row(type, new byte[bytes], dst));
            Assert.Contains($"takes {info.BlockBytes * 3} bytes, got {bytes}", ex.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => RowDot.Dot(type, new byte[bytes], dst));
        }
    }

    [Theory]
    [MemberData(nameof(SupportedTypes))]
    public void Empty_row_is_fine(TensorType type)
    {
        Dequant.Row(type, [], []);
        Assert.Equal(0f, RowDot.Dot(type, [], []));
    }

    [Theory]
    [InlineData(TensorType.I8)]
    [InlineData(TensorType.I32)]
    [InlineData(TensorType.F64)]
    [InlineData((TensorType)99)]
    public void Unsupported_types_throw_hearth_exception(TensorType type)
    {
        Assert.False(Dequant.Supports(type));
        Assert.Throws<HearthException>(() => Dequant.Row(type, new byte[8], new float[1]));
        Assert.Throws<HearthException>(() => RowDot.Dot(type, new byte[8], new float[1]));
    }

    [Fact]
    public void Dot_of_zero_blocks_with_random_x_is_zero()
    {
        var x = new float[512];
        for (int i = 0; i < x.Length; i++) x[i] = i * 0.5f - 100f;
        Assert.Equal(0f, RowDot.Dot(TensorType.Q4_K, new byte[2 * 144], x));
    }
}
