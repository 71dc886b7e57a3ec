using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Hearth.Core;
using Hearth.Runtime;
using Hearth.Runtime.Generation;

namespace Hearth.Cli.Commands;

/// <summary>hearth generate: continue a prompt, streaming the text (or printing JSON).</summary>
internal static class GenerateCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var prompt = new Option<string?>("--prompt", "-p") { Description = "Prompt text (encoded with the model's own BOS setting)" };
        var promptIds = new Option<int[]?>("--prompt-ids")
        {
            Description = "Prompt token ids, comma-separated, used exactly as given (no BOS added)",
            CustomParser = CommonOptions.ParseIds,
            Arity = ArgumentArity.ExactlyOne,
        };
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Maximum new tokens", DefaultValueFactory = _ => 128 };
        var stop = new Option<string[]>("--stop") { Description = "Stop string (repeatable); it is not printed" };
        var json = CommonOptions.Json();
        var topLogits = new Option<int>("--top-logits") { Description = "With --json: the K largest logits of every generated step", DefaultValueFactory = _ => 0 };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "Keep generating past end-of-sequence tokens" };
        var backend = CommonOptions.Backend();
        var device = CommonOptions.Device();
        var contextLength = CommonOptions.Context();
        var sampling = new SamplingFlags();
        CommonOptions.NonNegative(maxTokens);
        CommonOptions.NonNegative(topLogits);
        CommonOptions.Positive(contextLength);

        var command = new Command("generate", "Continue a prompt with the model");
        command.Options.Add(model);
        command.Options.Add(prompt);
        command.Options.Add(promptIds);
        command.Options.Add(maxTokens);
        sampling.AddTo(command);
        command.Options.Add(stop);
        command.Options.Add(json);
        command.Options.Add(topLogits);
        command.Options.Add(ignoreEos);
        command.Options.Add(backend);
        command.Options.Add(device);
        command.Options.Add(contextLength);
        command.Validators.Add(result =>
        {
            bool hasPrompt = result.GetResult(prompt) is not null;
            bool hasIds = result.GetResult(promptIds) is not null;
            if (hasPrompt && hasIds) result.AddError("give either --prompt or --prompt-ids, not both");
            else if (!hasPrompt && !hasIds) result.AddError("a prompt is required: --prompt TEXT or --prompt-ids 1,2,3");
        });

        command.SetAction(parse =>
        {
            var path = ModelLocator.Resolve(parse.GetValue(model));
            using var hearth = HearthModel.Load(path, new HearthModelOptions { Backend = CommonOptions.BackendName(parse, backend, device, context), ContextLength = parse.GetValue(contextLength) });
            var request = new GenerationRequest
            {
                Prompt = parse.GetValue(prompt),
                PromptIds = parse.GetResult(promptIds) is null ? null : parse.GetValue(promptIds),
                MaxNewTokens = parse.GetValue(maxTokens),
                Sampling = sampling.Read(parse),
                StopStrings = parse.GetValue(stop) ?? [],
                IgnoreEos = parse.GetValue(ignoreEos),
                TopLogits = parse.GetValue(topLogits),
            };
            bool asJson = parse.GetValue(json);
            if (request.TopLogits > 0 && !asJson) throw new HearthException("--top-logits needs --json");

            var result = hearth.Generate(request, asJson ? null : chunk =>
            {
                context.Out.Write(chunk.Text);
                context.Out.Flush();
            });

            if (asJson)
            {
                JsonOutput.Write(context.Out, ToJson(path, result));
            }
            else
            {
                context.Out.WriteLine();
                context.Out.Flush();
                if (result.StopReason == StopReason.ContextFull) context.Error.WriteLine($"note: stopped: {result.StopMessage}");
                context.Error.WriteLine(Summary(result));
            }
            return 0;
        });
        return command;
    }

    internal static string Summary(GenerationResult result)
    {
        var t = result.Timings;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{result.StopReason.ToSnakeCase()}] prompt {result.PromptIds.Count} tok, prefill {t.PrefillTokensPerSecond:F1} tok/s; generated {result.GeneratedIds.Count} tok, decode {t.DecodeTokensPerSecond:F1} tok/s; ttft {Ms(t.TimeToFirstToken):F1} ms");
    }

    private static double Ms(TimeSpan? time) => time?.TotalMilliseconds ?? 0;

    internal static JsonObject ToJson(string modelPath, GenerationResult result)
    {
        var t = result.Timings;
        var json = new JsonObject
        {
            ["model"] = modelPath,
            ["prompt_ids"] = JsonOutput.Ints(result.PromptIds),
            ["generated_ids"] = JsonOutput.Ints(result.GeneratedIds),
            ["text"] = result.Text,
            ["stop_reason"] = result.StopReason.ToSnakeCase(),
            ["stop_message"] = result.StopMessage,
            ["timings"] = new JsonObject
            {
                ["ttft_ms"] = JsonOutput.Number(Ms(t.TimeToFirstToken)),
                ["prefill_tokens"] = t.PrefillTokens,
                ["prefill_ms"] = JsonOutput.Number(t.PrefillTime.TotalMilliseconds),
                ["prefill_tokens_per_s"] = JsonOutput.Number(t.PrefillTokensPerSecond),
                ["decode_tokens"] = t.DecodeTokens,
                ["decode_ms"] = JsonOutput.Number(t.DecodeTime.TotalMilliseconds),
                ["decode_tokens_per_s"] = JsonOutput.Number(t.DecodeTokensPerSecond),
                ["compile_ms"] = JsonOutput.Number(t.CompileTime.TotalMilliseconds),
                ["sample_ms"] = JsonOutput.Number(t.SampleTime.TotalMilliseconds),
            },
        };
        if (result.TopLogits is { } top)
        {
            json["top_logits"] = new JsonArray([.. top.Select(step => (JsonNode?)new JsonArray([..
                step.Select(l => (JsonNode?)new JsonObject { ["id"] = l.Id, ["logit"] = JsonOutput.Number(l.Logit) })]))]);
        }
        return json;
    }
}
