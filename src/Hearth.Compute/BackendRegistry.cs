using Hearth.Core;

namespace Hearth.Compute;

/// <summary>Backends by name; each backend assembly registers a factory.</summary>
public static class BackendRegistry
{
    private sealed record Entry(Func<BackendOptions, IComputeDevice> Factory, bool TakesOptions);

    private static readonly Dictionary<string, Entry> Factories = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Lock Gate = new();

    public static void Register(string name, Func<IComputeDevice> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        lock (Gate) Factories[name] = new Entry(_ => factory(), TakesOptions: false);
    }

    /// <summary>Registers a backend that takes <see cref="BackendOptions"/> (e.g. a thread count).</summary>
    public static void Register(string name, Func<BackendOptions, IComputeDevice> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        lock (Gate) Factories[name] = new Entry(factory, TakesOptions: true);
    }

    public static IReadOnlyCollection<string> Names
    {
        get { lock (Gate) return [.. Factories.Keys]; }
    }

    /// <summary>Whether the backend was registered with a factory that takes <see cref="BackendOptions"/>.</summary>
    public static bool TakesOptions(string name)
    {
        lock (Gate) return Factories.TryGetValue(name, out var entry) && entry.TakesOptions;
    }

    public static IComputeDevice Create(string name) => Create(name, BackendOptions.Default);

    /// <summary>
    /// Creates a backend; <paramref name="options"/> reach only backends registered to take them. "name:N" (e.g.
    /// "vulkan:1") picks device N of a multi-device backend (sets <see cref="BackendOptions.DeviceIndex"/>).
    /// </summary>
    public static IComputeDevice Create(string name, BackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        int colon = name.LastIndexOf(':');
        if (colon > 0)
        {
            if (!int.TryParse(name.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
                throw new HearthException($"backend '{name}': expected NAME or NAME:DEVICE_INDEX (e.g. vulkan:0)");
            name = name[..colon];
            options = options with { DeviceIndex = index };
        }
        Entry? entry;
        lock (Gate) Factories.TryGetValue(name, out entry);
        return entry is null
            ? throw new HearthException($"unknown backend '{name}' (available: {string.Join(", ", Names)})")
            : entry.Factory(options);
    }
}
