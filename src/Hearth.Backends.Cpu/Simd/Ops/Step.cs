namespace Hearth.Backends.Cpu.Simd.Ops;

/// <summary>One compiled node: operands bound to buffers at compile time, so running allocates nothing.</summary>
internal abstract class Step
{
    public abstract void Run();

    /// <summary>What <see cref="StepProfile"/> sums this step's time under.</summary>
    public virtual string Label => GetType().Name;
}
