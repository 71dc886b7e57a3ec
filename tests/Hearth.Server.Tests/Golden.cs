using System.Text.Json.Nodes;

namespace Hearth.Server.Tests;

/// <summary>models/hearth-tiny/golden-greedy.json: chat prompts rendered, encoded and decoded greedily by PyTorch
/// (tools/tinymodel/train.py export), the independent reference for what the server must answer.</summary>
public static class Golden
{
    public sealed record ChatCase(string Text, int[] PromptIds, int[] GeneratedIds);

    public const int EndOfTurn = 2047; // <|im_end|>, hearth-tiny's EOS

    private static readonly Lazy<IReadOnlyList<ChatCase>> Cases = new(() =>
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TinyServer.ModelPath, "golden-greedy.json")))!;
        return [.. json["prompts"]!.AsArray()
            .Where(p => p!["kind"]!.GetValue<string>() == "chat")
            .Select(p => new ChatCase(p!["text"]!.GetValue<string>(),
                [.. p["prompt_ids"]!.AsArray().Select(i => i!.GetValue<int>())],
                [.. p["generated_ids"]!.AsArray().Select(i => i!.GetValue<int>())]))];
    });

    public static IReadOnlyList<ChatCase> Chat => Cases.Value;

    /// <summary>The generated ids up to (not including) the first end of turn: what a chat reply holds.</summary>
    public static int[] ReplyIds(ChatCase c)
    {
        int end = Array.IndexOf(c.GeneratedIds, EndOfTurn);
        return end < 0 ? c.GeneratedIds : c.GeneratedIds[..end];
    }
}
