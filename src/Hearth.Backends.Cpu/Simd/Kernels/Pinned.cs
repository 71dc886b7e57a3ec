using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hearth.Backends.Cpu.Simd.Kernels;

/// <summary>A pinned managed array with a raw pointer, so kernels on worker threads can use pointers without fixed blocks.</summary>
internal sealed unsafe class Pinned<T> where T : unmanaged
{
    public Pinned(long length)
    {
        Array = GC.AllocateArray<T>((int)Math.Max(length, 1), pinned: true);
        Length = (int)length;
        Pointer = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Array));
    }

    public T[] Array { get; }
    public int Length { get; }
    public T* Pointer { get; }
    public Span<T> Span => Array.AsSpan(0, Length);
}
