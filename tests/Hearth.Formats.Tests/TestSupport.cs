using System.Text;

namespace Hearth.Formats.Tests;

/// <summary>A temporary folder deleted with everything in it on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hearth-formats-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public string WriteText(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // best effort: a leftover temp folder must not fail a test
    }
}

/// <summary>
/// Builds GGUF bytes by hand, straight from the spec, independently of <c>GgufWriter</c>: used for the
/// v2 file, for byte-exact checks of the writer, and to craft broken headers.
/// </summary>
internal sealed class RawGguf
{
    private readonly MemoryStream _stream = new();
    private readonly BinaryWriter _writer;

    public RawGguf() => _writer = new BinaryWriter(_stream);

    public long Length => _stream.Length;

    public RawGguf Header(uint version, ulong tensorCount, ulong kvCount, uint magic = 0x46554747)
    {
        _writer.Write(magic);
        _writer.Write(version);
        _writer.Write(tensorCount);
        _writer.Write(kvCount);
        return this;
    }

    public RawGguf U8(byte v) { _writer.Write(v); return this; }
    public RawGguf U32(uint v) { _writer.Write(v); return this; }
    public RawGguf U64(ulong v) { _writer.Write(v); return this; }
    public RawGguf F32(float v) { _writer.Write(v); return this; }
    public RawGguf Bytes(byte[] v) { _writer.Write(v); return this; }

    public RawGguf Str(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        _writer.Write((ulong)bytes.Length);
        _writer.Write(bytes);
        return this;
    }

    /// <summary>A KV with a string value (type 8).</summary>
    public RawGguf KvString(string key, string value) => Str(key).U32(8).Str(value);

    /// <summary>A KV with a u32 value (type 4).</summary>
    public RawGguf KvU32(string key, uint value) => Str(key).U32(4).U32(value);

    /// <summary>A tensor info; ne is innermost first as in the file.</summary>
    public RawGguf TensorInfo(string name, uint type, ulong offset, params ulong[] ne)
    {
        Str(name).U32((uint)ne.Length);
        foreach (var n in ne) U64(n);
        return U32(type).U64(offset);
    }

    public RawGguf Align(int alignment)
    {
        while (_stream.Length % alignment != 0) _writer.Write((byte)0);
        return this;
    }

    public byte[] ToArray()
    {
        _writer.Flush();
        return _stream.ToArray();
    }
}

internal static class TestData
{
    public static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
