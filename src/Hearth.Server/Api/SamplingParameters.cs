using System.Text.Json;
using Hearth.Runtime.Sampling;

namespace Hearth.Server.Api;

/// <summary>The parameters chat and text completions share, read and range-checked.</summary>
internal sealed record SamplingParameters
{
    public required string Model { get; init; }
    public int N { get; init; } = 1;
    public bool Stream { get; init; }
    public bool IncludeUsage { get; init; }
    public int? MaxTokens { get; init; }
    public SamplerOptions Sampling { get; init; } = SamplerOptions.Greedy;
    /// <summary>OpenAI's seed (64-bit); choice i of n uses Seed + i.</summary>
    public long? Seed { get; init; }
    public IReadOnlyList<string> Stop { get; init; } = [];
    public bool IgnoreEos { get; init; }
    public bool SkipSpecialTokens { get; init; } = true;

    public const int MaxStopStrings = 16, MaxStopLength = 1000;

    /// <summary>Reads the shared fields. <paramref name="defaultTemperature"/> is OpenAI's 1 (sampling) unless the server says otherwise.</summary>
    public static SamplingParameters Read(JsonFields f, int maxN, float defaultTemperature)
    {
        string model = f.RequiredString("model");
        int n = f.Int("n", 1, maxN) ?? 1;
        bool stream = f.Bool("stream") ?? false;
        bool includeUsage = false;
        if (f.Object("stream_options") is { } options)
        {
            includeUsage = options.Bool("include_usage") ?? false;
            if (!stream) throw ApiException.BadRequest("'stream_options' is only allowed when 'stream' is true", "stream_options");
        }

        // max_completion_tokens is the newer name; both given must agree.
        int? maxTokens = f.Int("max_completion_tokens", 1, int.MaxValue);
        if (f.Int("max_tokens", 1, int.MaxValue) is int legacy)
        {
            if (maxTokens is int newer && newer != legacy)
                throw ApiException.BadRequest("'max_tokens' and 'max_completion_tokens' disagree; give one", "max_tokens");
            maxTokens = legacy;
        }

        float temperature = (float)(f.Number("temperature", 0, 2) ?? defaultTemperature);
        float topP = (float)(f.Number("top_p", 0, 1) ?? 1);
        int topK = f.Int("top_k", -1, int.MaxValue) ?? 0; // vLLM extension; -1 = off as in vLLM
        float minP = (float)(f.Number("min_p", 0, 1) ?? 0);
        float repetition = (float)(f.Number("repetition_penalty", 0.01, 10) ?? 1);
        float frequency = (float)(f.Number("frequency_penalty", -2, 2) ?? 0);
        float presence = (float)(f.Number("presence_penalty", -2, 2) ?? 0);
        long? seed = f.Integer("seed", long.MinValue, long.MaxValue);
        if (f.Get("logit_bias") is { } bias && (bias.ValueKind != JsonValueKind.Object || bias.EnumerateObject().Any()))
            throw ApiException.BadRequest("'logit_bias' is not supported", "logit_bias", "unsupported_parameter");

        var sampling = new SamplerOptions
        {
            Temperature = temperature,
            // top_p 0 keeps only the most likely token: greedy.
            TopP = topP <= 0 ? 1 : topP,
            TopK = topP <= 0 ? 1 : Math.Max(0, topK),
            MinP = minP,
            RepetitionPenalty = repetition,
            FrequencyPenalty = frequency,
            PresencePenalty = presence,
        };

        return new SamplingParameters
        {
            Model = model,
            N = n,
            Stream = stream,
            IncludeUsage = includeUsage,
            MaxTokens = maxTokens,
            Sampling = sampling,
            Seed = seed,
            Stop = ReadStop(f),
            IgnoreEos = f.Bool("ignore_eos") ?? false,
            SkipSpecialTokens = f.Bool("skip_special_tokens") ?? true,
        };
    }

    /// <summary>The sampler of choice <paramref name="index"/>: seeded from Seed + index when a seed is given.</summary>
    public SamplerOptions SamplingFor(int index) => Seed is long seed
        ? Sampling with { Seed = unchecked((int)(seed + index) ^ (int)((seed + index) >> 32)) }
        : Sampling;

    private static IReadOnlyList<string> ReadStop(JsonFields f)
    {
        if (f.Get("stop") is not { } stop) return [];
        var result = new List<string>();
        if (stop.ValueKind == JsonValueKind.String)
        {
            result.Add(stop.GetString()!);
        }
        else if (stop.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var item in stop.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) throw ApiException.WrongType($"stop[{i}]", "a string");
                result.Add(item.GetString()!);
                i++;
            }
        }
        else
        {
            throw ApiException.WrongType("stop", "a string or an array of strings");
        }
        if (result.Count > MaxStopStrings) throw ApiException.BadRequest($"'stop' may hold at most {MaxStopStrings} strings (got {result.Count})", "stop");
        if (result.Any(s => s.Length > MaxStopLength)) throw ApiException.BadRequest($"each stop string may be at most {MaxStopLength} characters", "stop");
        return [.. result.Where(s => s.Length > 0)];
    }
}
