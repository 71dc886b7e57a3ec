using System.Buffers;
using System.Text;
using System.Text.Json;
using Hearth.Runtime.Serving;
using Hearth.Server.Api;
using Hearth.Tokenizers;

namespace Hearth.Server.Endpoints;

/// <summary>Pieces of OpenAI's response JSON shared by the endpoints.</summary>
internal static class OpenAiJson
{
    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
            body(w);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Usage(Utf8JsonWriter w, int promptTokens, int completionTokens, int cachedTokens)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", promptTokens);
        w.WriteNumber("completion_tokens", completionTokens);
        w.WriteNumber("total_tokens", promptTokens + completionTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", cachedTokens);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The text of one token as OpenAI reports it in logprobs (special tokens included).</summary>
    public static string TokenText(ITokenizer tokenizer, int id) => tokenizer.Decode([id], skipSpecialTokens: false);

    /// <summary>One entry of chat logprobs.content: token, logprob, bytes, top_logprobs.</summary>
    public static void ChatLogprob(Utf8JsonWriter w, ITokenizer tokenizer, EngineEvent e)
    {
        w.WriteStartObject();
        TokenFields(w, TokenText(tokenizer, e.TokenId), e.Logprob ?? 0);
        w.WriteStartArray("top_logprobs");
        foreach (var alternative in e.TopLogprobs ?? [])
        {
            w.WriteStartObject();
            TokenFields(w, TokenText(tokenizer, alternative.Id), alternative.Logprob);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void TokenFields(Utf8JsonWriter w, string token, float logprob)
    {
        w.WriteString("token", token);
        w.WriteNumber("logprob", float.IsFinite(logprob) ? logprob : -9999f);
        w.WriteStartArray("bytes");
        foreach (byte b in Encoding.UTF8.GetBytes(token)) w.WriteNumberValue(b);
        w.WriteEndArray();
    }

    public static void CheckModel(IInferenceEngine engine, string model)
    {
        if (!string.Equals(model, engine.ModelName, StringComparison.Ordinal)) throw ApiException.ModelNotFound(model);
    }

    public static void CheckPromptFits(IInferenceEngine engine, int promptTokens, string param)
    {
        if (promptTokens + 1 > engine.ContextLength)
            throw new ApiException(413, $"the prompt has {promptTokens} tokens but the model's context holds {engine.ContextLength} (including at least one generated token)",
                "invalid_request_error", param, "context_length_exceeded");
    }

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..24];
}
