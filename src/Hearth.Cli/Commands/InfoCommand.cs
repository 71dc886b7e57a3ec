using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Hearth.Core;
using Hearth.Models;
using Hearth.Tokenizers;

namespace Hearth.Cli.Commands;

/// <summary>hearth info: architecture, hyper-parameters, tokenizer, chat template and tensors of a model.</summary>
internal static class InfoCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var json = CommonOptions.Json();
        var command = new Command("info", "Describe a model file or folder") { model, json };
        command.SetAction(parse =>
        {
            var path = ModelLocator.Resolve(parse.GetValue(model));
            using var loaded = Model.Load(path);
            if (parse.GetValue(json)) JsonOutput.Write(context.Out, ToJson(loaded));
            else WriteText(context, loaded);
            return 0;
        });
        return command;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<(string Key, string Value)> ConfigRows(ModelConfig c)
    {
        yield return ("architecture", c.Architecture);
        yield return ("vocab size", Inv($"{c.VocabSize}"));
        yield return ("hidden size", Inv($"{c.Dim}"));
        yield return ("layers", Inv($"{c.LayerCount}"));
        yield return ("heads / kv heads", Inv($"{c.HeadCount} / {c.KvHeadCount}"));
        yield return ("head dim", Inv($"{c.HeadDim}"));
        yield return ("ffn size", Inv($"{c.FfnDim}"));
        yield return ("context length", Inv($"{c.ContextLength}"));
        yield return ("rms norm eps", Inv($"{c.RmsNormEps:G6}"));
        yield return ("rope theta", Inv($"{c.RopeTheta:G9}"));
        yield return ("rope mode", c.RopeMode.ToString());
        yield return ("rope scaling", c.RopeScaling is { } r ? Inv($"{r.Type} x{r.Factor:G6}") : "none");
        yield return ("sliding window", c.SlidingWindow == 0 ? "none" : Inv($"{c.SlidingWindow}"));
        yield return ("qkv bias", c.QkvBias ? "yes" : "no");
        yield return ("tied embeddings", c.TiedEmbeddings ? "yes" : "no");
    }

    private static string TokenLabel(ITokenizer tokenizer, int id) => Inv($"{id} {tokenizer.TokenString(id) ?? "?"}");

    private static void WriteText(CliContext context, Model model)
    {
        var o = context.Out;
        o.WriteLine($"model:            {model.Path} ({model.Format})");
        foreach (var (key, value) in ConfigRows(model.Config)) o.WriteLine($"{key + ":",-18}{value}");
        var tokenizer = model.Tokenizer;
        o.WriteLine($"tokenizer:        {tokenizer.GetType().Name}, {tokenizer.VocabSize} tokens");
        o.WriteLine($"bos:              {(tokenizer.BosId is int bos ? TokenLabel(tokenizer, bos) : "none")}{(tokenizer.AddsBos ? " (added)" : " (not added)")}");
        o.WriteLine($"eos:              {string.Join(", ", model.EosIds.Select(id => TokenLabel(tokenizer, id)))}");
        if (model.ChatTemplate is { } template)
        {
            var oneLine = template.Source.ReplaceLineEndings("\\n");
            o.WriteLine($"chat template:    {template.Source.Length} chars: {(oneLine.Length > 100 ? oneLine[..100] + "..." : oneLine)}");
        }
        else
        {
            o.WriteLine("chat template:    none");
        }
        o.WriteLine();

        var table = new TextTable("tensor", "type", "shape", "bytes");
        table.RightAligned.Add(3);
        long total = 0;
        foreach (var tensor in model.Weights.Tensors)
        {
            table.Add(tensor.Name, TensorTypes.Info(tensor.Type).Name, tensor.Shape.ToString(), tensor.ByteLength.ToString("N0", CultureInfo.InvariantCulture));
            total += tensor.ByteLength;
        }
        table.Write(context);
        o.WriteLine(Inv($"{model.Weights.Tensors.Count} tensors, {total:N0} bytes"));
        o.Flush();
    }

    private static JsonObject ToJson(Model model)
    {
        var c = model.Config;
        var tokenizer = model.Tokenizer;
        return new JsonObject
        {
            ["path"] = model.Path,
            ["format"] = model.Format,
            ["architecture"] = c.Architecture,
            ["config"] = new JsonObject
            {
                ["vocab_size"] = c.VocabSize,
                ["hidden_size"] = c.Dim,
                ["num_layers"] = c.LayerCount,
                ["num_heads"] = c.HeadCount,
                ["num_kv_heads"] = c.KvHeadCount,
                ["head_dim"] = c.HeadDim,
                ["ffn_size"] = c.FfnDim,
                ["context_length"] = c.ContextLength,
                ["rms_norm_eps"] = c.RmsNormEps,
                ["rope_theta"] = c.RopeTheta,
                ["rope_mode"] = c.RopeMode.ToString(),
                ["rope_scaling"] = c.RopeScaling is { } r ? new JsonObject
                {
                    ["type"] = r.Type.ToString(),
                    ["factor"] = r.Factor,
                    ["low_freq_factor"] = r.LowFreqFactor,
                    ["high_freq_factor"] = r.HighFreqFactor,
                    ["original_context_length"] = r.OriginalContextLength,
                } : null,
                ["sliding_window"] = c.SlidingWindow,
                ["qkv_bias"] = c.QkvBias,
                ["tied_embeddings"] = c.TiedEmbeddings,
            },
            ["tokenizer"] = new JsonObject
            {
                ["kind"] = tokenizer.GetType().Name,
                ["vocab_size"] = tokenizer.VocabSize,
                ["bos_id"] = tokenizer.BosId,
                ["bos"] = tokenizer.BosId is int bos ? tokenizer.TokenString(bos) : null,
                ["adds_bos"] = tokenizer.AddsBos,
                ["eos_ids"] = JsonOutput.Ints(model.EosIds),
                ["eos"] = new JsonArray([.. model.EosIds.Select(id => (JsonNode?)JsonValue.Create(tokenizer.TokenString(id)))]),
            },
            ["chat_template"] = model.ChatTemplate?.Source,
            ["tensors"] = new JsonArray([.. model.Weights.Tensors.Select(t => (JsonNode?)new JsonObject
            {
                ["name"] = t.Name,
                ["type"] = TensorTypes.Info(t.Type).Name,
                ["shape"] = JsonOutput.Ints(t.Shape.Dims),
                ["bytes"] = t.ByteLength,
            })]),
            ["total_bytes"] = model.Weights.Tensors.Sum(t => t.ByteLength),
        };
    }
}
