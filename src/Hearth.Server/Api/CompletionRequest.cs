using System.Text.Json;

namespace Hearth.Server.Api;

/// <summary>One prompt of a text completion: text (encoded with the model's BOS setting) or token ids.</summary>
internal sealed record CompletionPrompt(string? Text, int[]? Ids);

/// <summary>A parsed POST /v1/completions body.</summary>
internal sealed record CompletionRequest
{
    public required SamplingParameters Parameters { get; init; }
    public required IReadOnlyList<CompletionPrompt> Prompts { get; init; }
    /// <summary>OpenAI's legacy logprobs: null = off, else the number of alternatives (0-5).</summary>
    public int? Logprobs { get; init; }
    public bool Echo { get; init; }

    public const int MaxPrompts = 64;

    public static CompletionRequest Read(JsonElement root, ServerOptions options)
    {
        var f = new JsonFields(root, "");
        var parameters = SamplingParameters.Read(f, options.MaxN, options.DefaultTemperature);
        var prompts = ReadPrompts(f);
        if (prompts.Count * parameters.N > options.MaxN * 4)
            throw ApiException.BadRequest($"{prompts.Count} prompts x n={parameters.N} is more choices than the limit of {options.MaxN * 4}", "prompt");
        if (f.Has("suffix")) throw ApiException.BadRequest("'suffix' is not supported", "suffix", "unsupported_parameter");
        if (f.Int("best_of", 1, options.MaxN) is int bestOf && bestOf != parameters.N)
            throw ApiException.BadRequest("'best_of' other than n is not supported", "best_of", "unsupported_parameter");
        return new CompletionRequest
        {
            Parameters = parameters,
            Prompts = prompts,
            Logprobs = f.Int("logprobs", 0, 5),
            Echo = f.Bool("echo") ?? false,
        };
    }

    private static List<CompletionPrompt> ReadPrompts(JsonFields f)
    {
        var prompt = f.Get("prompt") ?? throw ApiException.Missing("prompt");
        if (prompt.ValueKind == JsonValueKind.String) return [new CompletionPrompt(prompt.GetString(), null)];
        if (prompt.ValueKind != JsonValueKind.Array) throw ApiException.WrongType("prompt", "a string, an array of strings, an array of token ids or an array of arrays of token ids");
        int count = prompt.GetArrayLength();
        if (count == 0) throw ApiException.BadRequest("'prompt' is empty", "prompt");
        var first = prompt[0];
        if (first.ValueKind == JsonValueKind.Number) return [new CompletionPrompt(null, ReadIds(prompt, "prompt"))];
        if (count > MaxPrompts) throw ApiException.BadRequest($"'prompt' may hold at most {MaxPrompts} prompts (got {count})", "prompt");
        var result = new List<CompletionPrompt>(count);
        int i = 0;
        foreach (var item in prompt.EnumerateArray())
        {
            result.Add(item.ValueKind switch
            {
                JsonValueKind.String => new CompletionPrompt(item.GetString(), null),
                JsonValueKind.Array => new CompletionPrompt(null, ReadIds(item, $"prompt[{i}]")),
                _ => throw ApiException.WrongType($"prompt[{i}]", "a string or an array of token ids"),
            });
            i++;
        }
        return result;
    }

    private static int[] ReadIds(JsonElement array, string path)
    {
        var ids = new int[array.GetArrayLength()];
        if (ids.Length == 0) throw ApiException.BadRequest($"'{path}' is empty", path);
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int id) || id < 0)
                throw ApiException.WrongType($"{path}[{i}]", "a token id (a non-negative integer)");
            ids[i++] = id;
        }
        return ids;
    }
}
