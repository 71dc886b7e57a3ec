using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Hearth.Core;
using Hearth.Runtime;
using Hearth.Runtime.Evaluation;

namespace Hearth.Cli.Commands;

/// <summary>hearth perplexity: llama.cpp-style perplexity of a model on a text file.</summary>
internal static class PerplexityCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var file = new Option<string>("--file", "-f") { Description = "Text file to score", Required = true };
        var contextOption = new Option<int?>("--context", "-c") { Description = "Tokens per chunk (default: 512, or the model's context if smaller)" };
        CommonOptions.Positive(contextOption);
        var backend = CommonOptions.Backend();
        var device = CommonOptions.Device();
        var json = CommonOptions.Json();
        var command = new Command("perplexity", "Perplexity on a text: non-overlapping chunks, each scored on its second half (as llama.cpp)")
        {
            model, file, contextOption, backend, device, json,
        };

        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (!File.Exists(path)) throw new HearthException($"text file not found: {path}");
            string text = File.ReadAllText(path);
            using var loaded = HearthModel.Load(ModelLocator.Resolve(parse.GetValue(model)), new HearthModelOptions { Backend = CommonOptions.BackendName(parse, backend, device, context) });
            var config = loaded.GenerativeModel.Config;
            int n = parse.GetValue(contextOption) ?? Math.Min(512, config.ContextLength);
            var tokenizer = loaded.Tokenizer;
            var tokens = tokenizer.Encode(text, true);
            // llama.cpp replaces each chunk's first token by BOS when the tokenizer adds BOS.
            int? bos = tokenizer.BosId is { } b && tokens.Length > 0 && tokens[0] == b ? b : null;
            bool asJson = parse.GetValue(json);
            var inv = CultureInfo.InvariantCulture;
            if (!asJson) context.Out.WriteLine(string.Format(inv, "{0} tokens, {1} chunks of {2}", tokens.Length, tokens.Length / n, n));
            var result = Evaluate(loaded, tokens, n, bos, asJson ? null : context.Out);
            if (asJson)
            {
                JsonOutput.Write(context.Out, new JsonObject
                {
                    ["model"] = loaded.Name,
                    ["file"] = path,
                    ["context"] = n,
                    ["chunks"] = result.ChunkCount,
                    ["text_tokens"] = result.TextTokens,
                    ["scored_tokens"] = result.ScoredTokens,
                    ["ppl"] = JsonOutput.Number(result.Perplexity),
                    ["ppl_stderr"] = JsonOutput.Number(result.StandardError),
                    ["mean_nll"] = JsonOutput.Number(result.MeanNll),
                });
            }
            else
            {
                context.Out.WriteLine();
                context.Out.WriteLine(string.Format(inv, "Final estimate: PPL = {0:F4} +/- {1:F5}", result.Perplexity, result.StandardError));
            }
            return 0;
        });
        return command;
    }

    // Running PPL per chunk as llama.cpp prints it: [1]12.3456,[2]...
    private static PerplexityResult Evaluate(HearthModel model, int[] tokens, int n, int? bos, TextWriter? output) =>
        Perplexity.Evaluate(model.GenerativeModel, model.Device, tokens, n, bos, output is null ? null : new SyncProgress<PerplexityResult>(r =>
        {
            output.Write(string.Format(CultureInfo.InvariantCulture, "[{0}]{1:F4},", r.ChunkCount, r.Perplexity));
            output.Flush();
        }));
}
