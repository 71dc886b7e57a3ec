using Hearth.Core;

namespace Hearth.Cli;

/// <summary>Finds the model to use when --model is not given.</summary>
internal static class ModelLocator
{
    public const string EnvironmentVariable = "HEARTH_MODEL";
    private const string DefaultModelFolder = "models/hearth-tiny";

    /// <summary>--model, else $HEARTH_MODEL, else models/hearth-tiny (the small trained chat model) of the repository holding Hearth.slnx.</summary>
    public static string Resolve(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath)) return Check(explicitPath, "--model");
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Check(fromEnvironment, EnvironmentVariable);

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            var root = FindRepositoryRoot(start);
            if (root is null) continue;
            var candidate = Path.Combine(root, DefaultModelFolder);
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new HearthException($"no model given: pass --model PATH (a .gguf file or a Hugging Face folder) or set {EnvironmentVariable}");
    }

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds Hearth.slnx.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Hearth.slnx"))) return dir.FullName;
        return null;
    }

    private static string Check(string path, string source)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new HearthException($"model not found: {path} (from {source}; expected a .gguf file or a Hugging Face folder)");
        return path;
    }
}
