using Hearth.Core;

namespace Hearth.Formats.SafeTensors;

/// <summary>The safetensors dtype names Hearth reads and writes, and their <see cref="TensorType"/>.</summary>
internal static class SafeTensorsDType
{
    private static readonly Dictionary<string, TensorType> ByName = new(StringComparer.Ordinal)
    {
        ["F32"] = TensorType.F32,
        ["F16"] = TensorType.F16,
        ["BF16"] = TensorType.BF16,
        ["F64"] = TensorType.F64,
        ["I8"] = TensorType.I8,
        ["I16"] = TensorType.I16,
        ["I32"] = TensorType.I32,
        ["I64"] = TensorType.I64,
    };

    public static string Supported => string.Join(", ", ByName.Keys);

    public static bool TryParse(string dtype, out TensorType type) => ByName.TryGetValue(dtype, out type);

    public static string? NameOf(TensorType type)
    {
        foreach (var (name, t) in ByName)
            if (t == type) return name;
        return null;
    }

    /// <summary>Bytes per element (all supported dtypes are unblocked).</summary>
    public static int ElementBytes(TensorType type) => TensorTypes.Info(type).BlockBytes;
}
