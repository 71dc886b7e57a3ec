namespace Hearth.Compute;

/// <summary>
/// Settings a backend may take when it is created (see <see cref="BackendRegistry.Register(string, Func{BackendOptions, IComputeDevice})"/>).
/// Backends registered with a plain factory ignore them.
/// </summary>
public sealed record BackendOptions
{
    public static readonly BackendOptions Default = new();

    /// <summary>Worker threads for CPU backends; null = the backend's default (usually every core).</summary>
    public int? ThreadCount { get; init; }

    /// <summary>Which device of a multi-device backend (the N of <c>--device vulkan:N</c>); null = the backend's default.</summary>
    public int? DeviceIndex { get; init; }
}
