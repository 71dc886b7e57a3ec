using System.CommandLine;
using System.Globalization;
using Hearth.Core;
using Hearth.Runtime.Benchmarking;

namespace Hearth.Cli.Commands;

/// <summary>hearth bench: llama-bench style speed tests (pp, tg, decode) with GB/s and % of the roofline.</summary>
internal static class BenchCommand
{
    private static readonly string[] Formats = ["table", "json", "csv", "md"];

    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var backend = CommonOptions.Backend();
        var device = CommonOptions.Device();
        var threads = new Option<int?>("--threads", "-t") { Description = "Threads for the backend (if it takes a count) and the bandwidth probe (default: every logical core)" };
        var prompt = new Option<int?>("--n-prompt", "-p") { Description = "pp<P>: a P-token prompt processed as one batch (default 512; 0 skips)" };
        var generation = new Option<int?>("--n-gen", "-n") { Description = "tg<N>: N single-token steps from an empty context (default 128; 0 skips)" };
        var decode = new Option<int?>("--n-decode", "-d") { Description = "decode-<D>: a 1-token prompt then D generated tokens, with TTFT and TPOT (default 512; 0 skips)" };
        var depth = new Option<int>("--depth") { Description = "Fill the KV cache with D tokens (untimed) before each pp and tg run: prefill and decode at that depth of context (llama-bench's -d; tests named pp512 @ d4096). decode-<D> starts empty", DefaultValueFactory = _ => 0 };
        var repetitions = new Option<int>("--repetitions", "-r") { Description = "Timed repetitions per test, after a warm-up (at least 5 for quotable figures)", DefaultValueFactory = _ => 5 };
        var output = new Option<string>("--output", "-o") { Description = "table, json, csv or md", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong(Formats);
        var roofline = new Option<string?>("--roofline-plot") { Description = "Also write a roofline picture (SVG) to this file" };
        var bandwidthBuffer = new Option<int?>("--bandwidth-buffer-mib") { Description = "MiB the bandwidth probe streams (default: 8x the last-level cache, at least 256)" };
        var deviceTopK = new Option<int?>("--device-top-k") { Description = $"Candidates a GPU step returns instead of the logits row (default {Hearth.Runtime.Generation.GeneratorOptions.DefaultDeviceTopK} on a GPU, 0 = read the row)" };
        var parallel = new Option<string?>("--parallel") { Description = "tg<N> x<B> for each B of a comma list such as 1,4,16: B sequences at once through the batching engine (as `hearth serve`), each a --parallel-prompt-token prompt then -n tokens (llama-batched-bench's -npl)" };
        var parallelPrompt = new Option<int>("--parallel-prompt") { Description = "Prompt tokens of each sequence of the --parallel tests", DefaultValueFactory = _ => 16 };
        var progress = new Option<bool>("--progress") { Description = "Print each phase to stderr as it starts" };
        CommonOptions.Check(threads, v => v is not int i || i > 0, "> 0");
        CommonOptions.Check(prompt, v => v is not int i || i >= 0, ">= 0");
        CommonOptions.Check(generation, v => v is not int i || i >= 0, ">= 0");
        CommonOptions.Check(decode, v => v is not int i || i == 0 || i >= 2, "0 or >= 2");
        CommonOptions.Check(bandwidthBuffer, v => v is not int i || i > 0, "> 0");
        CommonOptions.Check(repetitions, v => v >= 1, ">= 1");
        CommonOptions.Check(depth, v => v >= 0, ">= 0");
        CommonOptions.Check(parallelPrompt, v => v >= 1, ">= 1");
        CommonOptions.Check(parallel, v => v is null || ParseCounts(v) is not null, "a comma-separated list of sequence counts >= 1, such as 1,4,16");
        CommonOptions.Check(deviceTopK, v => v is not int i || i is >= 0 and <= Hearth.Compute.TopKParams.MaxK, $"in [0, {Hearth.Compute.TopKParams.MaxK}]");

        var command = new Command("bench", "Measure prompt processing and generation speed (llama-bench semantics)")
        {
            model, backend, device, threads, prompt, generation, decode, depth, repetitions, output, roofline, bandwidthBuffer, deviceTopK, parallel, parallelPrompt, progress,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(prompt) == 0 && result.GetValue(generation) == 0 && result.GetValue(decode) == 0)
                result.AddError("every test is switched off (-p 0 -n 0 -d 0): nothing to run");
            if (result.GetValue(parallel) is not null && result.GetValue(generation) is int n && n < 2)
                result.AddError($"--parallel generates -n tokens per sequence and times the steps after the first: -n must be >= 2 (got {n})");
        });

        command.SetAction(parse =>
        {
            var path = ModelLocator.Resolve(parse.GetValue(model));
            var plotPath = parse.GetValue(roofline);
            if (plotPath is not null && Path.GetDirectoryName(Path.GetFullPath(plotPath)) is { } dir && !Directory.Exists(dir))
                throw new HearthException($"--roofline-plot: folder {dir} does not exist");
            // Sizes the user did not choose are skipped (with a note) when the model's context is too short.
            var skippable = new HashSet<BenchTestKind>();
            if (parse.GetValue(prompt) is null) skippable.Add(BenchTestKind.Prompt);
            if (parse.GetValue(generation) is null) skippable.Add(BenchTestKind.Generation);
            if (parse.GetValue(decode) is null) skippable.Add(BenchTestKind.Decode);
            var options = new BenchOptions
            {
                Backend = CommonOptions.BackendName(parse, backend, device, context),
                Threads = parse.GetValue(threads) ?? Environment.ProcessorCount,
                PromptTokens = parse.GetValue(prompt) ?? 512,
                GenerationTokens = parse.GetValue(generation) ?? 128,
                DecodeTokens = parse.GetValue(decode) ?? 512,
                Repetitions = parse.GetValue(repetitions),
                Depth = parse.GetValue(depth),
                SkipIfTooLong = skippable,
                BandwidthBufferBytes = (parse.GetValue(bandwidthBuffer) ?? 0) * (1L << 20),
                DeviceTopK = parse.GetValue(deviceTopK),
                Parallel = parse.GetValue(parallel) is { } counts ? ParseCounts(counts)! : [],
                ParallelPromptTokens = parse.GetValue(parallelPrompt),
            };
            if (options.Repetitions < 5)
                context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"note: {options.Repetitions} repetitions; use at least 5 for figures worth quoting"));

            bool showProgress = parse.GetValue(progress);
            var report = BenchRunner.Run(path, options, showProgress ? line => { context.Error.WriteLine(line); context.Error.Flush(); } : null);

            switch (parse.GetValue(output))
            {
                case "json": context.Out.WriteLine(BenchFormats.Json(report)); break;
                case "csv": context.Out.Write(BenchFormats.Csv(report)); break;
                case "md": context.Out.Write(BenchFormats.Markdown(report)); break;
                default:
                    var table = new TextTable([.. BenchFormats.TableHeaders]);
                    foreach (var c in BenchFormats.NumericColumns) table.RightAligned.Add(c);
                    foreach (var row in BenchFormats.TableRows(report)) table.Add(row);
                    table.Write(context);
                    context.Out.WriteLine();
                    foreach (var note in BenchFormats.Notes(report)) context.Out.WriteLine(note);
                    break;
            }
            if (plotPath is not null)
            {
                File.WriteAllText(plotPath, RooflineSvg.Render(report));
                context.Error.WriteLine($"roofline plot written to {plotPath}");
            }
            context.Out.Flush();
            context.Error.Flush();
            return 0;
        });
        return command;
    }

    /// <summary>"1,4,16" -> [1, 4, 16]; null when an item is not an integer >= 1.</summary>
    internal static int[]? ParseCounts(string list)
    {
        var items = list.Split(',', StringSplitOptions.TrimEntries);
        var counts = new int[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (!int.TryParse(items[i], NumberStyles.None, CultureInfo.InvariantCulture, out counts[i]) || counts[i] < 1) return null;
        }
        return counts;
    }
}
