using System.Runtime.CompilerServices;
using Hearth.Core;
using Hearth.Runtime.Generation;
using Hearth.Runtime.Sampling;
using Hearth.Tokenizers.ChatTemplates;
using Microsoft.Extensions.AI;

namespace Hearth.Runtime.Chat;

/// <summary>
/// <see cref="IChatClient"/> over a <see cref="HearthModel"/>: renders the conversation with
/// the model's chat template, reuses the KV cache of the common prefix with the previous call,
/// and reports token usage. Calls are serialized (one sequence per model).
/// </summary>
public sealed class HearthChatClient : IChatClient
{
    private readonly bool _ownsModel;
    private readonly ChatPromptBuilder _prompts;
    private readonly ChatClientMetadata _metadata;

    public HearthChatClient(HearthModel model, bool ownsModel = false)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _ownsModel = ownsModel;
        _prompts = new ChatPromptBuilder(model.Tokenizer, model.ChatTemplate);
        _metadata = new ChatClientMetadata("hearth", null, model.Name);
    }

    public HearthModel Model { get; }

    /// <summary>True when the model has no chat template and a plain transcript is used.</summary>
    public bool UsesFallbackTemplate => _prompts.UsesFallback;

    /// <summary>The result of the last completed (or cancelled) reply: ids, stop reason, timings.</summary>
    public GenerationResult? LastResult { get; private set; }

    /// <summary>Used when ChatOptions.MaxOutputTokens is not set; null = until EOS or the context is full.</summary>
    public int? DefaultMaxOutputTokens { get; set; }

    /// <summary>Sampling used where ChatOptions leave a setting out (greedy by default).</summary>
    public SamplerOptions DefaultSampling { get; set; } = SamplerOptions.Greedy;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            updates.Add(update);
        return updates.ToChatResponse();
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var prompt = _prompts.Build(ToTurns(messages, options));
        var request = new GenerationRequest
        {
            PromptIds = prompt.Ids,
            Sampling = ToSampling(options, DefaultSampling),
            MaxNewTokens = options?.MaxOutputTokens ?? DefaultMaxOutputTokens,
            StopStrings = [.. prompt.StopStrings, .. options?.StopSequences ?? []],
            SkipSpecialTokens = true,
        };

        string responseId = "hearth-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow;
        GenerationResult? result = null;
        await foreach (var chunk in Model.GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (chunk.Result is not null)
            {
                result = chunk.Result;
                break;
            }
            if (chunk.Text.Length == 0) continue;
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk.Text)
            {
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = Model.Name,
                CreatedAt = created,
            };
        }
        if (result is null) throw new HearthException("generation ended without a result");
        LastResult = result;

        var usage = new UsageDetails
        {
            InputTokenCount = result.PromptIds.Count,
            OutputTokenCount = result.GeneratedIds.Count,
            TotalTokenCount = result.PromptIds.Count + result.GeneratedIds.Count,
        };
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(usage)])
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = Model.Name,
            CreatedAt = created,
            FinishReason = result.StopReason is StopReason.MaxTokens or StopReason.ContextFull ? ChatFinishReason.Length : ChatFinishReason.Stop,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        if (serviceType.IsInstanceOfType(this)) return this;
        if (serviceType.IsInstanceOfType(Model)) return Model;
        return null;
    }

    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }

    /// <summary>Maps chat options onto sampler options; settings left out come from <paramref name="defaults"/> (greedy if null).</summary>
    public static SamplerOptions ToSampling(ChatOptions? options, SamplerOptions? defaults = null)
    {
        defaults ??= SamplerOptions.Greedy;
        if (options is null) return defaults;
        var sampling = defaults with
        {
            Temperature = options.Temperature ?? defaults.Temperature,
            TopP = options.TopP ?? defaults.TopP,
            TopK = options.TopK ?? defaults.TopK,
            FrequencyPenalty = options.FrequencyPenalty ?? defaults.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty ?? defaults.PresencePenalty,
            Seed = options.Seed is long seed ? unchecked((int)seed ^ (int)(seed >> 32)) : defaults.Seed,
        };
        sampling.Validate();
        return sampling;
    }

    private static List<ChatTurn> ToTurns(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var turns = new List<ChatTurn>();
        if (!string.IsNullOrEmpty(options?.Instructions)) turns.Add(new ChatTurn("system", options.Instructions));
        foreach (var message in messages)
            turns.Add(new ChatTurn(message.Role.Value, message.Text));
        return turns;
    }
}
