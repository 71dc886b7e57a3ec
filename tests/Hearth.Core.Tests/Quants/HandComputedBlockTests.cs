using System.Buffers.Binary;
using Hearth.Core;
using Hearth.Core.Quants;

namespace Hearth.Core.Tests.Quants;

/// <summary>
/// One block per format built byte by byte from the GGML layout, with the expected values worked
/// out by hand in the comments: a check on the format reading that does not depend on the goldens.
/// </summary>
public class HandComputedBlockTests
{
    private static float[] Dequantize(TensorType type, byte[] block)
    {
        var dst = new float[TensorTypes.Info(type).BlockSize];
        Dequant.Row(type, block, dst);
        return dst;
    }

    private static void PutHalf(byte[] block, int offset, float value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(offset), Fp16.FloatToHalf(value));

    [Fact]
    public void Q4_0_low_nibbles_are_the_first_16_elements()
    {
        var block = new byte[18];
        PutHalf(block, 0, 0.5f);
        block.AsSpan(2).Fill(0x88);          // q = 8 -> 0
        block[2 + 0] = 0x2F;                 // element 0: (15 - 8) * 0.5 = 3.5; element 16: (2 - 8) * 0.5 = -3
        var y = Dequantize(TensorType.Q4_0, block);
        Assert.Equal(3.5f, y[0]);
        Assert.Equal(-3f, y[16]);
        Assert.Equal(0f, y[1]);
        Assert.Equal(0f, y[31]);
    }

    [Fact]
    public void Q4_1_adds_the_min()
    {
        var block = new byte[20];
        PutHalf(block, 0, 2f);
        PutHalf(block, 2, -1f);
        block[4 + 15] = 0xE3;                // element 15: 3 * 2 - 1 = 5; element 31: 14 * 2 - 1 = 27
        var y = Dequantize(TensorType.Q4_1, block);
        Assert.Equal(5f, y[15]);
        Assert.Equal(27f, y[31]);
        Assert.Equal(-1f, y[0]);
    }

    [Fact]
    public void Q5_0_fifth_bit_j_for_low_half_and_j_plus_16_for_high_half()
    {
        var block = new byte[22];
        PutHalf(block, 0, 1f);
        // qh little-endian uint32 with bits 3 and 19 set: elements 3 and 19 get +16.
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(2), (1u << 3) | (1u << 19));
        block[6 + 3] = 0x51;                 // element 3: (1 | 16) - 16 = 1; element 19: (5 | 16) - 16 = 5
        var y = Dequantize(TensorType.Q5_0, block);
        Assert.Equal(1f, y[3]);
        Assert.Equal(5f, y[19]);
        Assert.Equal(-16f, y[0]);            // no fifth bit, nibble 0: -16
        Assert.Equal(-16f, y[16]);
    }

    [Fact]
    public void Q5_1_fifth_bit_without_offset()
    {
        var block = new byte[24];
        PutHalf(block, 0, 0.5f);
        PutHalf(block, 2, 10f);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(4), 1u << 31);
        block[8 + 15] = 0xF0;                // element 31: (15 | 16) * 0.5 + 10 = 25.5; element 15: 0 + 10
        var y = Dequantize(TensorType.Q5_1, block);
        Assert.Equal(25.5f, y[31]);
        Assert.Equal(10f, y[15]);
    }

    [Fact]
    public void Q8_0_and_Q8_1_are_signed_bytes_times_d()
    {
        var q80 = new byte[34];
        PutHalf(q80, 0, 0.25f);
        q80[2 + 7] = 0x80;                   // -128 * 0.25 = -32
        Assert.Equal(-32f, Dequantize(TensorType.Q8_0, q80)[7]);

        var q81 = new byte[36];
        PutHalf(q81, 0, 0.25f);
        PutHalf(q81, 2, 1000f);              // s is a cached sum, ignored
        q81[4 + 31] = 0x7F;                  // 127 * 0.25 = 31.75
        Assert.Equal(31.75f, Dequantize(TensorType.Q8_1, q81)[31]);
    }

    [Fact]
    public void Q2_K_element_200()
    {
        var block = new byte[84];
        block[12] = 0x53;                    // sub-block 12 = 200 / 16: scale 3, min 5
        block[16 + 40] = 0b0010_0000;        // element 200: half 1, plane 2, l 8 -> Qs[32 + 8] bits 4..5 = 2
        PutHalf(block, 80, 2f);              // d
        PutHalf(block, 82, 0.5f);            // dmin
        var y = Dequantize(TensorType.Q2_K, block);
        Assert.Equal(2f * 3 * 2 - 0.5f * 5, y[200]);   // 9.5
        Assert.Equal(-2.5f, y[201]);                   // same sub-block, q = 0
        Assert.Equal(0f, y[0]);
    }

    [Fact]
    public void Q3_K_element_80_with_6_bit_scale_and_hmask()
    {
        var block = new byte[110];
        // Sub-block 5 (elements 80..95) stored scale 40 = 0b10_1000 -> 40 - 32 = 8:
        // low nibble 8 in Scales[5], high bits 2 in Scales[8 + 5 % 4] bit pair 5 / 4 = 1.
        block[96 + 5] = 0x08;
        block[96 + 9] = 0b0000_1000;
        block[32 + 16] = 0b0011_0000;        // element 80: half 0, plane 2, l 16 -> Qs[16] bits 4..5 = 3
        block[16] = 0b0000_0100;             // HMask[16] bit 2 set: no -4
        PutHalf(block, 108, 1f);
        var y = Dequantize(TensorType.Q3_K, block);
        Assert.Equal(24f, y[80]);            // 8 * 3
        Assert.Equal(-32f, y[81]);           // 8 * (0 - 4): bit clear subtracts 4
        Assert.Equal(128f, y[0]);            // stored scale 0 -> -32; q = 0 - 4 -> 128
    }

    [Fact]
    public void Q4_K_element_160_uses_packed_high_scale_bits()
    {
        var block = new byte[144];
        PutHalf(block, 0, 1f);               // d
        PutHalf(block, 2, 0.5f);             // dmin
        // Sub-block 5: scale = (S[9] & 15) | (S[1] >> 6) << 4 = 2 | 16 = 18,
        //              min   = (S[9] >> 4) | (S[5] >> 6) << 4 = 3 | 32 = 35.
        block[4 + 9] = 0x32;
        block[4 + 1] = 0x40;
        block[4 + 5] = 0x80;
        block[16 + 64] = 0x70;               // element 160: group 2, second 32 -> high nibble of Qs[64] = 7
        var y = Dequantize(TensorType.Q4_K, block);
        Assert.Equal(18f * 7 - 17.5f, y[160]);          // 108.5
        Assert.Equal(0f, y[128]);                       // sub-block 4: scale 0, min 0
        Assert.Equal(0f, y[32]);                        // sub-block 1: low 6 bits of S[1], S[5] are 0
    }

    [Fact]
    public void Q5_K_element_70_high_bit()
    {
        var block = new byte[176];
        PutHalf(block, 0, 1f);
        PutHalf(block, 2, 1f);
        block[4 + 2] = 10;                   // sub-block 2 scale
        block[4 + 6] = 4;                    // sub-block 2 min
        block[16 + 6] = 0b100;               // Qh[70 % 32] bit 70 / 32 = 2
        block[48 + 32 + 6] = 0x0B;           // element 70: group 1, first 32 -> low nibble of Qs[32 + 6] = 11
        var y = Dequantize(TensorType.Q5_K, block);
        Assert.Equal(10f * 27 - 4, y[70]);   // q = 11 + 16
        Assert.Equal(-4f, y[71]);
    }

    [Fact]
    public void Q6_K_element_100()
    {
        var block = new byte[210];
        // element 100: half 0, quarter 3, l 4 -> high nibble of Ql[32 + 4], bits 6..7 of Qh[4], scale 100 / 16 = 6
        block[32 + 4] = 0xA0;                // low 4 bits 10
        block[128 + 4] = 0b1000_0000;        // high 2 bits 2 -> q = 42 - 32 = 10
        block[192 + 6] = unchecked((byte)-3);
        PutHalf(block, 208, 0.25f);
        var y = Dequantize(TensorType.Q6_K, block);
        Assert.Equal(-7.5f, y[100]);         // 0.25 * -3 * 10
        Assert.Equal(0.25f * -3 * -32, y[101]);
    }

    [Fact]
    public void Q8_K_has_an_f32_scale()
    {
        var block = new byte[292];
        BinaryPrimitives.WriteSingleLittleEndian(block, 1e-3f);
        block[4 + 255] = 0x81;               // -127
        Assert.Equal(1e-3f * -127, Dequantize(TensorType.Q8_K, block)[255]);
    }
}
