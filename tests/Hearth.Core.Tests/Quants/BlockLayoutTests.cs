using System.Runtime.InteropServices;
using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Core.Tests.Quants;

public class BlockLayoutTests
{
    public static TheoryData<TensorType> QuantizedTypes() => [.. TensorTypes.All.Where(i => i.IsQuantized).Select(i => i.Type)];

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void Struct_size_equals_gguf_block_bytes(TensorType type) =>
        Assert.Equal(TensorTypes.Info(type).BlockBytes, QuantBlocks.StructSize(type));

    [Fact]
    public void VerifyLayouts_passes() => QuantBlocks.VerifyLayouts();

    [Fact]
    public void Every_quantized_type_has_a_block_struct() =>
        Assert.Equal(TensorTypes.All.Where(i => i.IsQuantized).Select(i => i.Type).Order(), QuantBlocks.BlockTypes.Order());

    [Fact]
    public void Unquantized_type_has_no_block_struct() =>
        Assert.Throws<HearthException>(() => QuantBlocks.StructSize(TensorType.F16));

    // Field offsets from the GGML definitions (block_q2_K etc.), so a reordered field is caught.
    [Fact]
    public void Field_offsets_match_ggml()
    {
        Assert.Equal(2, Marshal.OffsetOf<BlockQ4_0>(nameof(BlockQ4_0.Qs)));
        Assert.Equal(4, Marshal.OffsetOf<BlockQ4_1>(nameof(BlockQ4_1.Qs)));
        Assert.Equal(2, Marshal.OffsetOf<BlockQ5_0>(nameof(BlockQ5_0.Qh)));
        Assert.Equal(6, Marshal.OffsetOf<BlockQ5_0>(nameof(BlockQ5_0.Qs)));
        Assert.Equal(8, Marshal.OffsetOf<BlockQ5_1>(nameof(BlockQ5_1.Qs)));
        Assert.Equal(4, Marshal.OffsetOf<BlockQ8_1>(nameof(BlockQ8_1.Qs)));
        Assert.Equal(80, Marshal.OffsetOf<BlockQ2_K>(nameof(BlockQ2_K.D)));
        Assert.Equal(82, Marshal.OffsetOf<BlockQ2_K>(nameof(BlockQ2_K.DMin)));
        Assert.Equal(96, Marshal.OffsetOf<BlockQ3_K>(nameof(BlockQ3_K.Scales)));
        Assert.Equal(108, Marshal.OffsetOf<BlockQ3_K>(nameof(BlockQ3_K.D)));
        Assert.Equal(16, Marshal.OffsetOf<BlockQ4_K>(nameof(BlockQ4_K.Qs)));
        Assert.Equal(16, Marshal.OffsetOf<BlockQ5_K>(nameof(BlockQ5_K.Qh)));
        Assert.Equal(48, Marshal.OffsetOf<BlockQ5_K>(nameof(BlockQ5_K.Qs)));
        Assert.Equal(192, Marshal.OffsetOf<BlockQ6_K>(nameof(BlockQ6_K.Scales)));
        Assert.Equal(208, Marshal.OffsetOf<BlockQ6_K>(nameof(BlockQ6_K.D)));
        Assert.Equal(260, Marshal.OffsetOf<BlockQ8_K>(nameof(BlockQ8_K.BSums)));
    }
}
