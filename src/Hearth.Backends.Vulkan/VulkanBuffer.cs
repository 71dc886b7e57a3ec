using Hearth.Backends.Vulkan.Interop;

namespace Hearth.Backends.Vulkan;

/// <summary>One VkBuffer with its own memory; <see cref="Mapped"/> is non-null when the memory is host-visible (mapped once).</summary>
internal sealed unsafe class VulkanBuffer : IDisposable
{
    private readonly VulkanContext _context;
    private readonly VkObjectHandle _buffer;
    private readonly VkObjectHandle _memory;

    public VulkanBuffer(VulkanContext context, VkObjectHandle buffer, VkObjectHandle memory, long size, byte* mapped)
    {
        _context = context;
        _buffer = buffer;
        _memory = memory;
        Size = size;
        Mapped = mapped;
    }

    public long Size { get; }
    public byte* Mapped { get; }
    public nint Handle => _buffer.Value;
    public bool IsDisposed { get; private set; }

    /// <summary>Copies host bytes into the buffer at <paramref name="offset"/> (mapped memory directly, else through a staging buffer).</summary>
    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        if (offset < 0 || offset + data.Length > Size) throw new ArgumentOutOfRangeException(nameof(offset));
        if (Mapped is not null) data.CopyTo(new Span<byte>(Mapped + offset, data.Length));
        else _context.Upload(this, offset, data);
    }

    /// <summary>Copies bytes out of the buffer.</summary>
    public void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > Size) throw new ArgumentOutOfRangeException(nameof(offset));
        if (Mapped is not null) new ReadOnlySpan<byte>(Mapped + offset, destination.Length).CopyTo(destination);
        else _context.Download(this, offset, destination);
    }

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        _buffer.Dispose();
        _memory.Dispose();
        _context.Released(Size);
    }
}
