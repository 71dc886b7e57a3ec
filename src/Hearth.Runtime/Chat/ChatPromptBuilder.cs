using Hearth.Core;
using Hearth.Tokenizers;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Runtime.Chat;

/// <summary>A rendered chat prompt: its text, its ids and any stop strings the format needs.</summary>
public sealed record ChatPrompt(string Text, int[] Ids, IReadOnlyList<string> StopStrings);

/// <summary>
/// Turns chat messages into prompt ids with the model's chat template. A model without a
/// template gets a plain "User: / Assistant:" transcript (<see cref="UsesFallback"/> says so).
/// </summary>
public sealed class ChatPromptBuilder
{
    private readonly ITokenizer _tokenizer;
    private readonly ChatTemplate? _template;

    public ChatPromptBuilder(ITokenizer tokenizer, ChatTemplate? template)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _template = template;
    }

    /// <summary>The model has no chat template: prompts are a plain transcript, which a model not
    /// trained on it follows poorly.</summary>
    public bool UsesFallback => _template is null;

    public const string FallbackNotice = "the model has no chat template; using a plain \"User:/Assistant:\" transcript";

    public ChatPrompt Build(IReadOnlyList<ChatTurn> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        if (turns.Count == 0) throw new HearthException("a chat needs at least one message");
        string? bosText = _tokenizer.BosId is int bos ? _tokenizer.TokenString(bos) : null;
        string? eosText = _tokenizer.EosIds.Count > 0 ? _tokenizer.TokenString(_tokenizer.EosIds[0]) : null;

        if (_template is null)
        {
            var transcript = string.Concat(turns.Select(t => $"{Capitalize(t.Role)}: {t.Content}\n")) + "Assistant:";
            return new ChatPrompt(transcript, _tokenizer.Encode(transcript, addSpecialTokens: true), ["\nUser:"]);
        }

        var text = _template.Render(turns, addGenerationPrompt: true, bosText, eosText);
        // Templates that write the BOS text themselves must not get a second BOS from the tokenizer.
        bool hasBos = !string.IsNullOrEmpty(bosText) && text.StartsWith(bosText, StringComparison.Ordinal);
        return new ChatPrompt(text, _tokenizer.Encode(text, addSpecialTokens: !hasBos), []);
    }

    private static string Capitalize(string role) =>
        role.Length == 0 ? role : char.ToUpperInvariant(role[0]) + role[1..];
}
