using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Hearth.Core;
using Hearth.Quantization;
using Hearth.Quantization.Presets;

namespace Hearth.Cli.Commands;

/// <summary>hearth quantize: write a GGUF of a preset's types from an F32/F16/BF16 GGUF or HF folder.</summary>
internal static class QuantizeCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Input: a .gguf file or a Hugging Face folder in F32, F16 or BF16", Required = true };
        var type = new Option<string>("--type", "-t")
        {
            Description = "Preset: " + string.Join(", ", QuantPresets.Names),
            Required = true,
        };
        var output = new Option<string>("--output", "-o") { Description = "Output .gguf file", Required = true };
        var json = CommonOptions.Json();
        var command = new Command("quantize", "Convert a model to a quantized GGUF file (tensors are streamed: works for models larger than memory)")
        {
            model, type, output, json,
        };
        type.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is not null && !QuantPresets.Names.Contains(value, StringComparer.OrdinalIgnoreCase))
                result.AddError($"--type: unknown type '{value}' (known: {string.Join(", ", QuantPresets.Names)})");
        });

        command.SetAction(parse =>
        {
            var preset = QuantPresets.Get(parse.GetValue(type)!);
            string input = parse.GetValue(model)!, outputPath = parse.GetValue(output)!;
            if (!File.Exists(input) && !Directory.Exists(input)) throw new HearthException($"model not found: {input}");
            var bar = new ProgressBar(context.Error);
            var report = ModelQuantizer.Run(input, outputPath, preset, new SyncProgress<QuantizeProgress>(p =>
                bar.Show((double)p.BytesWritten / Math.Max(1, p.TotalBytes), $"{p.TensorIndex}/{p.TensorCount} {p.TensorName}")));
            bar.Done();

            if (parse.GetValue(json)) JsonOutput.Write(context.Out, ToJson(report));
            else WriteText(context.Out, report);
            return 0;
        });
        return command;
    }

    private static void WriteText(TextWriter o, QuantizeReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var t in report.Tensors.Where(t => t.FallbackReason is not null))
            o.WriteLine($"note: {t.Name}: {t.FallbackReason}");
        foreach (var group in report.Tensors.GroupBy(t => t.Type).OrderByDescending(g => g.Sum(t => t.Bytes)))
            o.WriteLine(string.Format(inv, "  {0,-5} {1,4} tensors  {2,10:F1} MiB", TensorTypes.Info(group.Key).Name, group.Count(), group.Sum(t => t.Bytes) / 1048576.0));
        o.WriteLine(string.Format(inv, "wrote {0} ({1}): {2:F1} MiB, {3:F2} bits per weight, {4:F1} s, peak memory {5}",
            report.Output, report.Preset.Name, report.FileBytes / 1048576.0, report.BitsPerWeight, report.Elapsed.TotalSeconds,
            report.PeakResidentBytes is { } peak ? string.Format(inv, "{0:F0} MiB", peak / 1048576.0) : "unknown"));
    }

    private static JsonObject ToJson(QuantizeReport report) => new()
    {
        ["input"] = report.Input,
        ["output"] = report.Output,
        ["type"] = report.Preset.Name,
        ["file_bytes"] = report.FileBytes,
        ["bits_per_weight"] = JsonOutput.Number(report.BitsPerWeight),
        ["elements"] = report.ElementCount,
        ["seconds"] = JsonOutput.Number(report.Elapsed.TotalSeconds),
        ["peak_rss_bytes"] = report.PeakResidentBytes,
        ["tensors"] = new JsonArray([.. report.Tensors.Select(t => (JsonNode?)new JsonObject
        {
            ["name"] = t.Name,
            ["shape"] = JsonOutput.Ints(t.Shape.Dims),
            ["source_type"] = TensorTypes.Info(t.SourceType).Name,
            ["type"] = TensorTypes.Info(t.Type).Name,
            ["bytes"] = t.Bytes,
            ["fallback"] = t.FallbackReason,
        })]),
    };
}

/// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>A one-line text progress bar on stderr, redrawn in place with \r; at most ~10 redraws per second.</summary>
internal sealed class ProgressBar(TextWriter writer)
{
    private long _lastDraw = long.MinValue;
    private int _lastWidth;

    public void Show(double fraction, string label)
    {
        long now = Environment.TickCount64;
        if (fraction < 1 && now - _lastDraw < 100) return;
        _lastDraw = now;
        const int width = 30;
        int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * width);
        string line = string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('-', width - filled)}] {fraction * 100,5:F1}% {label}");
        writer.Write("\r" + line.PadRight(_lastWidth));
        _lastWidth = line.Length;
        writer.Flush();
    }

    public void Done()
    {
        if (_lastWidth > 0) writer.WriteLine();
        writer.Flush();
    }
}
