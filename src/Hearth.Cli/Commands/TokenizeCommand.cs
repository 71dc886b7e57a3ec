using System.CommandLine;
using System.Text.Json.Nodes;
using Hearth.Core;
using Hearth.Models;
using Hearth.Tokenizers;

namespace Hearth.Cli.Commands;

/// <summary>hearth tokenize: show the ids and token strings of a text.</summary>
internal static class TokenizeCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var tokenizerFile = new Option<string?>("--tokenizer") { Description = "A Hugging Face tokenizer.json (tokenizer_config.json beside it is used if present)" };
        var text = new Option<string>("--text", "-t") { Description = "Text to encode", Required = true };
        var noSpecial = new Option<bool>("--no-special") { Description = "Do not add special tokens (BOS)" };
        var json = CommonOptions.Json();

        var command = new Command("tokenize", "Encode text with a model's tokenizer") { model, tokenizerFile, text, noSpecial, json };
        command.Validators.Add(result =>
        {
            if (result.GetResult(model) is not null && result.GetResult(tokenizerFile) is not null)
                result.AddError("give either --model or --tokenizer, not both");
        });

        command.SetAction(parse =>
        {
            var input = parse.GetValue(text)!;
            bool addSpecial = !parse.GetValue(noSpecial);
            int[] ids;
            string[] tokens;
            var file = parse.GetValue(tokenizerFile);
            if (file is not null)
            {
                if (!File.Exists(file)) throw new HearthException($"tokenizer file not found: {file}");
                var tokenizer = TokenizerLoader.FromHuggingFace(file);
                (ids, tokens) = Encode(tokenizer, input, addSpecial);
            }
            else
            {
                using var loaded = Model.Load(ModelLocator.Resolve(parse.GetValue(model)));
                (ids, tokens) = Encode(loaded.Tokenizer, input, addSpecial);
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, new JsonObject
                {
                    ["ids"] = JsonOutput.Ints(ids),
                    ["tokens"] = new JsonArray([.. tokens.Select(t => (JsonNode?)JsonValue.Create(t))]),
                });
            }
            else
            {
                int width = ids.Length == 0 ? 1 : ids.Max().ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
                for (int i = 0; i < ids.Length; i++)
                    context.Out.WriteLine($"{ids[i].ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width)}  {Printable(tokens[i])}");
                context.Out.WriteLine($"{ids.Length} tokens");
            }
            return 0;
        });
        return command;
    }

    private static (int[] Ids, string[] Tokens) Encode(ITokenizer tokenizer, string text, bool addSpecial)
    {
        var ids = tokenizer.Encode(text, addSpecial);
        return (ids, [.. ids.Select(id => tokenizer.TokenString(id) ?? $"<unknown {id}>")]);
    }

    /// <summary>Control characters (newline, tab) shown escaped so each token stays on one line.</summary>
    private static string Printable(string token) =>
        string.Concat(token.Select(c => c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ when char.IsControl(c) => $"\\x{(int)c:x2}", _ => c.ToString() }));
}
