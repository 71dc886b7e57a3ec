using System.Runtime.InteropServices;
using Hearth.Core.Quants;

namespace Hearth.Quantization.Quants;

/// <summary>
/// Byte offsets of the fields of Core's block structs, taken from the structs themselves so the
/// quantizers write exactly the layouts <see cref="Dequant"/> reads (the structs are the definition;
/// this project has no unsafe code, so it writes bytes at these offsets instead of fixed buffers).
/// </summary>
internal static class BlockOffsets
{
    private static int Of<T>(string field) where T : struct => (int)Marshal.OffsetOf<T>(field);

    public static readonly int Q4_0_D = Of<BlockQ4_0>(nameof(BlockQ4_0.D)), Q4_0_Qs = Of<BlockQ4_0>(nameof(BlockQ4_0.Qs));
    public static readonly int Q4_1_D = Of<BlockQ4_1>(nameof(BlockQ4_1.D)), Q4_1_M = Of<BlockQ4_1>(nameof(BlockQ4_1.M)), Q4_1_Qs = Of<BlockQ4_1>(nameof(BlockQ4_1.Qs));
    public static readonly int Q5_0_D = Of<BlockQ5_0>(nameof(BlockQ5_0.D)), Q5_0_Qh = Of<BlockQ5_0>(nameof(BlockQ5_0.Qh)), Q5_0_Qs = Of<BlockQ5_0>(nameof(BlockQ5_0.Qs));
    public static readonly int Q5_1_D = Of<BlockQ5_1>(nameof(BlockQ5_1.D)), Q5_1_M = Of<BlockQ5_1>(nameof(BlockQ5_1.M)),
        Q5_1_Qh = Of<BlockQ5_1>(nameof(BlockQ5_1.Qh)), Q5_1_Qs = Of<BlockQ5_1>(nameof(BlockQ5_1.Qs));
    public static readonly int Q8_0_D = Of<BlockQ8_0>(nameof(BlockQ8_0.D)), Q8_0_Qs = Of<BlockQ8_0>(nameof(BlockQ8_0.Qs));

    public static readonly int Q2_K_Scales = Of<BlockQ2_K>(nameof(BlockQ2_K.Scales)), Q2_K_Qs = Of<BlockQ2_K>(nameof(BlockQ2_K.Qs)),
        Q2_K_D = Of<BlockQ2_K>(nameof(BlockQ2_K.D)), Q2_K_DMin = Of<BlockQ2_K>(nameof(BlockQ2_K.DMin));
    public static readonly int Q3_K_HMask = Of<BlockQ3_K>(nameof(BlockQ3_K.HMask)), Q3_K_Qs = Of<BlockQ3_K>(nameof(BlockQ3_K.Qs)),
        Q3_K_Scales = Of<BlockQ3_K>(nameof(BlockQ3_K.Scales)), Q3_K_D = Of<BlockQ3_K>(nameof(BlockQ3_K.D));
    public static readonly int Q4_K_D = Of<BlockQ4_K>(nameof(BlockQ4_K.D)), Q4_K_DMin = Of<BlockQ4_K>(nameof(BlockQ4_K.DMin)),
        Q4_K_Scales = Of<BlockQ4_K>(nameof(BlockQ4_K.Scales)), Q4_K_Qs = Of<BlockQ4_K>(nameof(BlockQ4_K.Qs));
    public static readonly int Q5_K_D = Of<BlockQ5_K>(nameof(BlockQ5_K.D)), Q5_K_DMin = Of<BlockQ5_K>(nameof(BlockQ5_K.DMin)),
        Q5_K_Scales = Of<BlockQ5_K>(nameof(BlockQ5_K.Scales)), Q5_K_Qh = Of<BlockQ5_K>(nameof(BlockQ5_K.Qh)), Q5_K_Qs = Of<BlockQ5_K>(nameof(BlockQ5_K.Qs));
    public static readonly int Q6_K_Ql = Of<BlockQ6_K>(nameof(BlockQ6_K.Ql)), Q6_K_Qh = Of<BlockQ6_K>(nameof(BlockQ6_K.Qh)),
        Q6_K_Scales = Of<BlockQ6_K>(nameof(BlockQ6_K.Scales)), Q6_K_D = Of<BlockQ6_K>(nameof(BlockQ6_K.D));
}
