using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Hearth.Tokenizers;

namespace Hearth.Benchmarks;

/// <summary>
/// Encoding throughput on one thread over a multi-megabyte text (artifacts/bench/kjv.txt, written by
/// tools/reference/tokenizers/make_bench_text.sh; HEARTH_BENCH_TEXT overrides), for the real tokenizer.json files
/// under tests/data/external (tools/fetch-test-data.sh). Compare with tools/reference/tokenizers/bench.mjs
/// (@huggingface/tokenizers in node on the same text and files). Like the JS run, each measured encode reuses the
/// tokenizer instance after one warm-up encode, so both sides measure their steady state with word caches warm.
/// Run: dotnet run -c Release --project benchmarks/Hearth.Benchmarks -- --filter '*TokenizerBenchmarks*' --artifacts artifacts/benchmarks
/// </summary>
[Config(typeof(ThroughputConfig))]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 9)]
public class TokenizerBenchmarks
{
    private ITokenizer tokenizer = null!;
    private string text = "";

    [Params("llama3_1", "qwen3", "gpt4o")]
    public string Name { get; set; } = "llama3_1";

    [GlobalSetup]
    public void Setup()
    {
        text = File.ReadAllText(TokenizerBenchmarkFiles.TextPath);
        tokenizer = TokenizerLoader.FromHuggingFace(TokenizerBenchmarkFiles.TokenizerJson(Name));
        var count = tokenizer.Encode(text, addSpecialTokens: false).Length;
        Console.WriteLine($"// {Name}: {TokenizerBenchmarkFiles.TextBytes / 1e6:F2} MB -> {count} tokens");
    }

    [Benchmark]
    public int Encode() => tokenizer.Encode(text, addSpecialTokens: false).Length;

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new MegabytesPerSecondColumn());
    }
}

/// <summary>Throughput from the median time: text bytes (UTF-8) / median seconds.</summary>
internal sealed class MegabytesPerSecondColumn() : MedianRateColumn(nameof(MegabytesPerSecondColumn), "MB/s (median)",
    "UTF-8 megabytes (1e6 bytes) of text encoded per second, from the median time", 0, 1e6)
{
    protected override double Amount(BenchmarkCase benchmarkCase) => TokenizerBenchmarkFiles.TextBytes;
}

internal static class TokenizerBenchmarkFiles
{
    public static string TextPath => Environment.GetEnvironmentVariable("HEARTH_BENCH_TEXT") is { Length: > 0 } path
        ? path : Path.Combine(RepoRoot, "artifacts", "bench", "kjv.txt");

    public static long TextBytes => new FileInfo(TextPath).Length;

    public static string TokenizerJson(string name) => Path.Combine(RepoRoot, "tests", "data", "external", name, "tokenizer.json");

    /// <summary>The folder holding Hearth.slnx, searched upwards from the working and the program's folder
    /// (BenchmarkDotNet runs the benchmark from a generated project below bin/).</summary>
    private static string RepoRoot
    {
        get
        {
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                    if (File.Exists(Path.Combine(dir.FullName, "Hearth.slnx"))) return dir.FullName;
            throw new InvalidOperationException("Hearth.slnx not found above the working folder: run from the repository");
        }
    }
}
