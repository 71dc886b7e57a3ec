namespace Hearth.Testing;

/// <summary>Paths of the repository's test data, found by walking up from the test binaries to the folder holding Hearth.slnx.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Hearth.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Hearth.slnx) above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => Root.Value;

    /// <summary>tests/data/tiny/<paramref name="relative"/>: the tiny models and goldens of tools/reference/make_tiny_models.py.</summary>
    public static string Tiny(string relative = "") => Path.Combine(RepoRoot, "tests", "data", "tiny", relative);
}
