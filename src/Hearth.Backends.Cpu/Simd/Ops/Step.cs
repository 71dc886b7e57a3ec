namespace Hearth.Backends.Cpu.Simd.Ops;

/// <summary>One compiled node: operands bound to buffers at compile time, so running allocates nothing.</summary>
internal abstract class Step
{
    public abstract void Run();
}
