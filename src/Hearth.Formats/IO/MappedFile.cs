using System.IO.MemoryMappedFiles;
using Hearth.Core;

namespace Hearth.Formats.IO;

/// <summary>
/// A whole file mapped read-only. The view pointer is acquired once through the view's
/// <see cref="SafeMemoryMappedViewHandle"/> and released on <see cref="Dispose"/>, so tensor views
/// handed out by a reader stay valid exactly as long as the reader that owns this mapping.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _pointer;

    private MappedFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* pointer, long length)
    {
        Path = path;
        _map = map;
        _view = view;
        _pointer = pointer;
        Length = length;
    }

    public string Path { get; }

    /// <summary>Length of the file (the view may be rounded up to a page; never read past this).</summary>
    public long Length { get; }

    public byte* Pointer => _pointer != null ? _pointer : throw new ObjectDisposedException(Path);

    /// <summary>Maps <paramref name="path"/>; I/O problems become <see cref="ModelFormatException"/> naming the file.</summary>
    public static MappedFile Open(string path)
    {
        FileStream? stream = null;
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            long length = stream.Length;
            // An empty file cannot be mapped; every format needs at least a header, so say so here.
            if (length == 0) throw new ModelFormatException(path, "file is empty");
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            stream = null; // owned by the map now
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += view.PointerOffset;
            return new MappedFile(path, map, view, pointer, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            view?.Dispose();
            map?.Dispose();
            stream?.Dispose();
            string problem = e switch
            {
                FileNotFoundException => "file not found",
                DirectoryNotFoundException => "directory not found",
                UnauthorizedAccessException => "access denied",
                _ => $"cannot open or map the file ({e.Message})",
            };
            throw new ModelFormatException(path, problem, e);
        }
        catch
        {
            view?.Dispose();
            map?.Dispose();
            stream?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_pointer == null) return;
        _pointer = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
