namespace Hearth.Tokenizers.Pipeline;

/// <summary>
/// GPT-2's reversible byte-to-character table: printable bytes map to themselves, the rest to U+0100 onwards,
/// so that every byte sequence is a string of visible characters the BPE vocabulary can hold.
/// </summary>
internal static class ByteLevelAlphabet
{
    public static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    private static char[] BuildByteToChar()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }

    private static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (var b = 0; b < 256; b++) map[ByteToChar[b]] = (byte)b;
        return map;
    }

    /// <summary>The byte-level string of <paramref name="text"/>'s UTF-8 (one char per byte; a lone surrogate is U+FFFD's bytes).</summary>
    public static string Encode(ReadOnlySpan<char> text)
    {
        var byteCount = System.Text.Encoding.UTF8.GetByteCount(text);
        const int StackLimit = 512;
        Span<byte> utf8 = byteCount <= StackLimit ? stackalloc byte[StackLimit] : new byte[byteCount];
        Span<char> chars = byteCount <= StackLimit ? stackalloc char[StackLimit] : new char[byteCount];
        System.Text.Encoding.UTF8.GetBytes(text, utf8);
        for (var i = 0; i < byteCount; i++) chars[i] = ByteToChar[utf8[i]];
        return new string(chars[..byteCount]);
    }

    /// <summary>Appends the bytes a byte-level token stands for; a character outside the table contributes its own UTF-8.</summary>
    public static void AppendBytes(string token, List<byte> destination)
    {
        Span<byte> buffer = stackalloc byte[4];
        foreach (var rune in token.EnumerateRunes())
        {
            if (rune.IsBmp && CharToByte.TryGetValue((char)rune.Value, out var b)) destination.Add(b);
            else
            {
                var written = rune.EncodeToUtf8(buffer);
                for (var i = 0; i < written; i++) destination.Add(buffer[i]);
            }
        }
    }
}
