using System.Runtime.CompilerServices;
using Hearth.Core;
using Hearth.Runtime.Serving;
using Hearth.Tokenizers;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Server.Tests;

/// <summary>An engine whose "model" answers with a scripted text (tokenized with the real tokenizer, streamed token by
/// token), recording every prompt: how the server's tool rendering and tool-call parsing are tested without a model
/// trained on tools.</summary>
public sealed class ScriptedEngine(ITokenizer tokenizer, ChatTemplate template, string name, int contextLength = 8192) : IInferenceEngine
{
    private readonly Lock _lock = new();
    private readonly List<int[]> _prompts = [];

    public string ModelName => name;
    public ITokenizer Tokenizer => tokenizer;
    public ChatTemplate? ChatTemplate => template;
    public int ContextLength => contextLength;

    /// <summary>The reply text for a prompt.</summary>
    public Func<string, string> Reply { get; set; } = _ => "Hello!";

    public IReadOnlyList<int[]> Prompts { get { lock (_lock) return [.. _prompts]; } }

    public IAsyncEnumerable<EngineEvent> Submit(EngineRequest request, CancellationToken cancellationToken = default)
    {
        if (request.PromptIds.Count + 1 > contextLength) throw new PromptTooLongException(request.PromptIds.Count, contextLength);
        lock (_lock) _prompts.Add([.. request.PromptIds]);
        var reply = Reply(tokenizer.Decode([.. request.PromptIds]));
        return Stream(request, reply, cancellationToken);
    }

    private async IAsyncEnumerable<EngineEvent> Stream(EngineRequest request, string reply, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ids = tokenizer.Encode(reply, addSpecialTokens: false);
        var detokenizer = tokenizer.CreateStreamingDetokenizer(request.SkipSpecialTokens);
        int count = 0;
        string reason = "stop";
        foreach (int id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (request.MaxNewTokens is int max && count >= max) { reason = "length"; break; }
            count++;
            await Task.Yield();
            yield return new EngineEvent(id, detokenizer.Push(id));
        }
        var rest = detokenizer.Flush();
        if (rest.Length > 0) yield return new EngineEvent(ids[^1], rest);
        yield return new EngineEvent(-1, "")
        {
            Finish = new EngineFinish(reason, reason, request.PromptIds.Count, count, 0, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2)),
        };
    }

    public EngineMetrics GetMetrics() => new() { MaxWaitingRequests = 1 };

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
