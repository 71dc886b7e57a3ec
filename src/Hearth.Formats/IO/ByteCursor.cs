using System.Buffers.Binary;
using System.Text;
using Hearth.Core;

namespace Hearth.Formats.IO;

/// <summary>
/// A little-endian reader over a mapped file that checks every read against the bytes left, so a
/// truncated or lying header becomes a <see cref="ModelFormatException"/> that says what was being read.
/// </summary>
internal sealed unsafe class ByteCursor(string path, byte* start, long length)
{
    // Lenient on purpose: some converted vocabularies hold token strings that are not valid UTF-8;
    // rejecting the whole file for that would be worse than a replacement character.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public string Path { get; } = path;
    public long Length { get; } = length;
    public long Position { get; private set; }
    public long Remaining => Length - Position;

    public ModelFormatException Error(string problem) => new(Path, problem);

    /// <summary>Ensures <paramref name="count"/> more bytes exist; <paramref name="what"/> names the field for the error.</summary>
    public void Require(long count, string what)
    {
        if (count < 0 || count > Remaining)
            throw Error($"file truncated while reading {what} at offset {Position} (needs {count} bytes, {Remaining} left)");
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        Require(count, what);
        var span = new ReadOnlySpan<byte>(start + Position, count);
        Position += count;
        return span;
    }

    public byte ReadU8(string what) => Take(1, what)[0];
    public sbyte ReadI8(string what) => (sbyte)Take(1, what)[0];
    public ushort ReadU16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));
    public short ReadI16(string what) => BinaryPrimitives.ReadInt16LittleEndian(Take(2, what));
    public uint ReadU32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));
    public int ReadI32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));
    public ulong ReadU64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));
    public long ReadI64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));
    public float ReadF32(string what) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, what));
    public double ReadF64(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what));

    public bool ReadBool(string what)
    {
        long at = Position;
        byte b = ReadU8(what);
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw Error($"{what} at offset {at} is a bool with value {b} (expected 0 or 1)"),
        };
    }

    /// <summary>A GGUF string: u64 byte length, then UTF-8 bytes (no terminator).</summary>
    public string ReadString(string what)
    {
        ulong length = ReadU64($"length of {what}");
        if (length > (ulong)Remaining)
            throw Error($"{what} at offset {Position - 8} claims {length} bytes but only {Remaining} bytes are left in the file");
        if (length > int.MaxValue)
            throw Error($"{what} at offset {Position - 8} is {length} bytes long (at most {int.MaxValue} supported)");
        return Utf8.GetString(Take((int)length, what));
    }

    /// <summary>
    /// Checks an untrusted element count against the bytes left before anything is allocated for it:
    /// each element needs at least <paramref name="minElementBytes"/> bytes.
    /// </summary>
    public int CheckCount(ulong count, long minElementBytes, string what)
    {
        if (count > (ulong)Remaining / (ulong)minElementBytes)
            throw Error($"{what} is {count} but only {Remaining} bytes are left in the file (each needs at least {minElementBytes} bytes)");
        if (count > int.MaxValue)
            throw Error($"{what} is {count} (at most {int.MaxValue} supported)");
        return (int)count;
    }
}
