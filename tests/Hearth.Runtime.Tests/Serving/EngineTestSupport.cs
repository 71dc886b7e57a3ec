using Hearth.Runtime.Generation;
using Hearth.Runtime.Serving;

namespace Hearth.Runtime.Tests.Serving;

/// <summary>Helpers for driving a <see cref="BatchingEngine"/> on the tiny test models.</summary>
internal static class EngineTestSupport
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static HearthModel Load(string relative, int? context = null) =>
        HearthModel.Load(TinyModels.Path(relative), new HearthModelOptions { ContextLength = context });

    /// <summary>Prompts of different lengths over the vocabulary; some share long prefixes.</summary>
    public static int[][] Prompts(int count, int vocab, int seed, int maxLength = 40)
    {
        var random = new Random(seed);
        var shared = Enumerable.Range(0, 24).Select(_ => random.Next(vocab)).ToArray();
        var prompts = new int[count][];
        for (int i = 0; i < count; i++)
        {
            int length = 1 + random.Next(maxLength);
            var prompt = Enumerable.Range(0, length).Select(_ => random.Next(vocab)).ToArray();
            if (i % 3 == 0) prompt = [.. shared, .. prompt.Take(Math.Max(1, length / 3))];
            prompts[i] = prompt;
        }
        return prompts;
    }

    /// <summary>Greedy tokens of one prompt on the single-sequence Generator (contiguous cache): the independent reference.</summary>
    public static int[] GeneratorTokens(HearthModel model, int[] prompt, int maxNew)
    {
        using var generator = model.CreateGenerator(new GeneratorOptions { IgnoreEos = true, MaxNewTokens = maxNew });
        generator.AppendTokens(prompt);
        var ids = new List<int>();
        while (!generator.IsDone) ids.Add(generator.GenerateNextToken().Id);
        return [.. ids];
    }

    public static async Task<(int[] Tokens, string Text, EngineFinish Finish, List<EngineEvent> Events)> Collect(
        IAsyncEnumerable<EngineEvent> stream, CancellationToken cancellationToken = default)
    {
        var events = new List<EngineEvent>();
        await foreach (var e in stream.WithCancellation(cancellationToken)) events.Add(e);
        var finish = events[^1].Finish ?? throw new InvalidOperationException("the stream ended without a finish event");
        return ([.. events.Where(e => e.Finish is null).Select(e => e.TokenId)], string.Concat(events.Select(e => e.Text)), finish, events);
    }

    public static EngineRequest Greedy(int[] prompt, int maxNew) =>
        new() { PromptIds = prompt, MaxNewTokens = maxNew, IgnoreEos = true };

    public static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }
}
