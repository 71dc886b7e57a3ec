using Hearth.Core;

namespace Hearth.Compute;

/// <summary>Backends by name; each backend assembly registers a factory.</summary>
public static class BackendRegistry
{
    private static readonly Dictionary<string, Func<IComputeDevice>> Factories = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Lock Gate = new();

    public static void Register(string name, Func<IComputeDevice> factory)
    {
        lock (Gate) Factories[name] = factory;
    }

    public static IReadOnlyCollection<string> Names
    {
        get { lock (Gate) return [.. Factories.Keys]; }
    }

    public static IComputeDevice Create(string name)
    {
        Func<IComputeDevice>? factory;
        lock (Gate) Factories.TryGetValue(name, out factory);
        return factory is null
            ? throw new HearthException($"unknown backend '{name}' (available: {string.Join(", ", Names)})")
            : factory();
    }
}
