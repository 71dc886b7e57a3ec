using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Models;
using Hearth.Runtime.Generation;
using Hearth.Runtime.Sampling;

namespace Hearth.Runtime.Benchmarking;

/// <summary>
/// Runs the llama-bench / MLC tests through the path users run: a backend by name from
/// <see cref="BackendRegistry"/>, the <see cref="Generator"/> (its StepRunner and ContiguousKvCache).
/// pp and tg feed fixed token ids (no sampling); decode generates greedily as `hearth generate` does.
/// </summary>
public static class BenchRunner
{
    /// <summary>Loads the model, probes the machine, runs the tests. <paramref name="progress"/> gets one line per phase.</summary>
    public static BenchReport Run(string modelPath, BenchOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        if (!File.Exists(modelPath) && !Directory.Exists(modelPath))
            throw new HearthException($"model not found: {modelPath} (expected a .gguf file or a Hugging Face folder)");
        var started = DateTimeOffset.UtcNow;

        BuiltInBackends.EnsureRegistered();
        // Probe first, while the model's pages are not competing for the caches.
        progress?.Invoke($"measuring memory read bandwidth ({options.Threads} threads)");
        var bandwidth = MemoryBandwidth.Measure(options.Threads, options.BandwidthBufferBytes);
        GC.Collect();
        progress?.Invoke($"measuring peak FMA FLOP/s ({options.Threads} threads)");
        var peak = PeakFlops.Measure(options.Threads, options.PeakFlopsSeconds);

        using var model = Model.Load(modelPath);
        var cost = ModelCost.Of(model);
        var config = model.Config;

        var skipped = new List<string>();
        var plan = Plan(options, config.ContextLength, skipped);
        if (plan.Count == 0) throw new HearthException($"no test left to run: {string.Join("; ", skipped)}");
        var single = plan.Where(t => t.Kind != BenchTestKind.Parallel).ToList();
        int context = single.Count > 0 ? single.Max(t => t.Positions) : 2;

        bool takesOptions = BackendRegistry.TakesOptions(options.Backend);
        using var device = BackendRegistry.Create(options.Backend, new BackendOptions { ThreadCount = options.Threads });
        var generatorOptions = new GeneratorOptions
        {
            ContextLength = context,
            PrefillChunkSize = options.PromptTokens > 0 ? options.PromptTokens : 512, // pp: one batch (also the depth fill's chunk)
            Sampling = SamplerOptions.Greedy,
            IgnoreEos = true,
            DeviceTopK = options.DeviceTopK,
        };
        using var generator = new Generator(new ModelAdapter(model), device, generatorOptions);
        var ids = FixedTokens(context, config.VocabSize);

        var measured = new List<(PlannedTest Test, List<RunTiming> Runs)>();
        // A warm-up (it compiles the step executables and JITs the kernels), then the timed repetitions.
        void Measure(PlannedTest test, Func<bool, RunTiming> run)
        {
            progress?.Invoke($"{test.Name}: warm-up");
            run(true);
            var runs = new List<RunTiming>();
            for (int r = 0; r < options.Repetitions; r++)
            {
                progress?.Invoke($"{test.Name}: repetition {r + 1}/{options.Repetitions}");
                runs.Add(run(false));
            }
            measured.Add((test, runs));
        }
        foreach (var test in single) Measure(test, warmUp => test.Run(generator, ids, warmUp));
        var parallel = plan.Where(t => t.Kind == BenchTestKind.Parallel).ToList();
        if (parallel.Count > 0)
        {
            progress?.Invoke($"starting the batching engine for {string.Join(", ", parallel.Select(t => t.Name))}");
            using var engine = new ParallelBench(model, device, options.ParallelPromptTokens, options.GenerationTokens, parallel.Max(t => t.Batch));
            foreach (var test in parallel)
            {
                Measure(test, warmUp =>
                {
                    var (decode, ttft, tpot) = engine.Run(test.Batch, warmUp ? Math.Min(test.Count, 4) : test.Count);
                    return new RunTiming(decode, ttft, tpot);
                });
            }
        }

        // Probe again after the tests and keep the better: a shared host's bandwidth drifts by tens of percent over a
        // bench, and a ceiling measured in a slow moment would put the runs above 100% of it.
        GC.Collect();
        progress?.Invoke($"measuring memory read bandwidth again ({options.Threads} threads)");
        bandwidth = bandwidth.Best(MemoryBandwidth.Measure(options.Threads, options.BandwidthBufferBytes));
        var tests = measured.Select(m => Summarize(m.Test, m.Runs, cost, bandwidth, peak)).ToList();

        return new BenchReport
        {
            ModelPath = modelPath,
            ModelLabel = Label(config.Architecture, cost),
            Architecture = config.Architecture,
            Cost = cost,
            Backend = device.BackendName,
            DeviceDescription = device.Description,
            BackendThreads = takesOptions ? options.Threads : null,
            ProbeThreads = options.Threads,
            Repetitions = options.Repetitions,
            Bandwidth = bandwidth,
            PeakFlops = peak,
            Tests = tests,
            Skipped = skipped,
            StartedAt = started,
            UnoptimizedAssemblies = [.. new[] { typeof(BenchRunner).Assembly, device.GetType().Assembly }
                .Distinct().Where(a => a.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
                .Select(a => a.GetName().Name ?? "?")],
        };
    }

    private static void Validate(BenchOptions o)
    {
        if (o.Threads < 1) throw new HearthException($"threads must be >= 1 (got {o.Threads})");
        if (o.Repetitions < 1) throw new HearthException($"repetitions must be >= 1 (got {o.Repetitions})");
        if (o.PromptTokens < 0 || o.GenerationTokens < 0 || o.DecodeTokens < 0)
            throw new HearthException("token counts must be >= 0 (0 skips a test)");
        if (o.Depth < 0) throw new HearthException($"depth must be >= 0 (got {o.Depth})");
        if (o.DecodeTokens == 1) throw new HearthException("decode needs at least 2 generated tokens (TPOT is measured between tokens)");
        if (o.PromptTokens == 0 && o.GenerationTokens == 0 && o.DecodeTokens == 0)
            throw new HearthException("every test is switched off (-p 0 -n 0 -d 0): nothing to run");
        ArgumentNullException.ThrowIfNull(o.Parallel);
        if (o.Parallel.Any(b => b < 1)) throw new HearthException($"parallel sequence counts must be >= 1 (got {string.Join(",", o.Parallel)})");
        if (o.Parallel.Count > 0 && o.GenerationTokens < 2)
            throw new HearthException($"the parallel tests generate -n tokens per sequence and time the steps after the first: -n must be >= 2 (got {o.GenerationTokens})");
        if (o.Parallel.Count > 0 && o.ParallelPromptTokens < 1)
            throw new HearthException($"the parallel tests' prompt must have at least 1 token (got {o.ParallelPromptTokens})");
    }

    private static List<PlannedTest> Plan(BenchOptions o, int modelContext, List<string> skipped)
    {
        var all = new List<PlannedTest>();
        if (o.PromptTokens > 0) all.Add(new PlannedTest(BenchTestKind.Prompt, o.PromptTokens, o.Depth));
        if (o.GenerationTokens > 0) all.Add(new PlannedTest(BenchTestKind.Generation, o.GenerationTokens, o.Depth));
        if (o.DecodeTokens > 0) all.Add(new PlannedTest(BenchTestKind.Decode, o.DecodeTokens, 0));
        foreach (int batch in o.Parallel.Distinct())
            all.Add(new PlannedTest(BenchTestKind.Parallel, o.GenerationTokens, o.ParallelPromptTokens, batch));
        var plan = new List<PlannedTest>();
        foreach (var test in all)
        {
            if (test.Positions <= modelContext)
            {
                plan.Add(test);
                continue;
            }
            var why = string.Create(CultureInfo.InvariantCulture,
                $"{test.Name} needs a context of {test.Positions} tokens but the model's is {modelContext}");
            if (!o.SkipIfTooLong.Contains(test.Kind)) throw new HearthException(why);
            skipped.Add(why);
        }
        return plan;
    }

    /// <summary>Deterministic ids spread over the vocabulary (the compute does not depend on which).</summary>
    internal static int[] FixedTokens(int count, int vocabSize)
    {
        var ids = new int[count];
        for (int i = 0; i < count; i++) ids[i] = (int)((1L + 7919L * i) % vocabSize);
        return ids;
    }

    internal static string Label(string architecture, ModelCost cost)
    {
        double p = cost.ParameterCount;
        string size = p >= 1e9 ? Fmt($"{p / 1e9:0.#}B") : p >= 1e6 ? Fmt($"{p / 1e6:0.#}M") : Fmt($"{p / 1e3:0.#}K");
        return $"{architecture} {size} {cost.WeightType}";
    }

    private static string Fmt(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private readonly record struct RunTiming(double Seconds, double TtftSeconds, double TpotSeconds = 0);

    /// <summary>A test; for a parallel one, Depth is each sequence's prompt and Batch the sequences.</summary>
    private sealed record PlannedTest(BenchTestKind Kind, int Count, int Depth, int Batch = 1)
    {
        public string Name => Kind switch
        {
            BenchTestKind.Prompt => Fmt($"pp{Count}") + At,
            BenchTestKind.Generation => Fmt($"tg{Count}") + At,
            BenchTestKind.Parallel => Fmt($"tg{Count} x{Batch}"),
            _ => Fmt($"decode-{Count}"),
        };

        private string At => Depth > 0 ? Fmt($" @ d{Depth}") : "";

        /// <summary>Cache positions the test fills; decode stops one short of a full context, so it needs one more.</summary>
        public int Positions => Kind == BenchTestKind.Decode ? Count + 1 : Depth + Count;

        /// <summary>Tokens the rate counts: decode counts the D - 1 steps after the first token, parallel the B x (N - 1).</summary>
        public int RateTokens => Kind switch
        {
            BenchTestKind.Decode => Count - 1,
            BenchTestKind.Parallel => Batch * (Count - 1),
            _ => Count,
        };

        public RunTiming Run(Generator generator, int[] ids, bool warmUp)
        {
            // Warm-up compiles the step executables and JITs the kernels; a short run does that for
            // single-token steps (as llama-bench warms tg with one token), pp needs its own batch size.
            int count = warmUp && Kind != BenchTestKind.Prompt ? Math.Min(Count, 4) : Count;
            if (Kind == BenchTestKind.Decode) count = Math.Max(2, count);
            // The depth's tokens go in untimed, in prefill chunks, once: SetSequence keeps the cache of the common prefix
            // between runs (recomputing only its last token). The timed tokens follow them in the cache.
            if (Depth > 0) generator.SetSequence(ids.AsSpan(0, Depth));
            else generator.Reset();
            switch (Kind)
            {
                case BenchTestKind.Prompt:
                {
                    long start = Stopwatch.GetTimestamp();
                    generator.AppendTokens(ids.AsSpan(Depth, count));
                    return new RunTiming(Stopwatch.GetElapsedTime(start).TotalSeconds, 0);
                }
                case BenchTestKind.Generation:
                {
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < count; i++) generator.AppendTokens(ids.AsSpan(Depth + i, 1));
                    return new RunTiming(Stopwatch.GetElapsedTime(start).TotalSeconds, 0);
                }
                default:
                {
                    generator.MaxNewTokens = count;
                    long start = Stopwatch.GetTimestamp();
                    generator.AppendTokens(ids.AsSpan(0, 1));
                    generator.GenerateNextToken();
                    double ttft = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    while (!generator.IsDone) generator.GenerateNextToken();
                    double latency = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    generator.MaxNewTokens = null;
                    if (generator.GeneratedTokenCount != count)
                        throw new InvalidOperationException($"decode generated {generator.GeneratedTokenCount} tokens, expected {count} ({generator.StopMessage})");
                    return new RunTiming(latency - ttft, ttft);
                }
            }
        }
    }

    private static BenchTestResult Summarize(PlannedTest test, List<RunTiming> runs, ModelCost cost, BandwidthMeasurement bandwidth, FlopsMeasurement peak)
    {
        int tokens = test.RateTokens;
        var seconds = runs.Select(r => r.Seconds).ToList();
        var rates = MeanSd.Of([.. seconds.Select(s => tokens / s)]);
        var msPerToken = MeanSd.Of([.. seconds.Select(s => s * 1000 / tokens)]);

        // Weights are read once per step: a P-token batch reads them once for P tokens, a step of B sequences for B.
        double bytesPerToken = test.Kind switch
        {
            BenchTestKind.Prompt => (double)cost.WeightBytesPerToken / tokens,
            BenchTestKind.Parallel => (double)cost.WeightBytesPerToken / test.Batch,
            _ => cost.WeightBytesPerToken,
        };
        double flops = test.Kind switch
        {
            BenchTestKind.Prompt => cost.StepFlops(tokens, test.Depth),
            BenchTestKind.Generation => Enumerable.Range(test.Depth, tokens).Sum(p => cost.StepFlops(1, p)),
            // Each sequence's decode steps feed the tokens at positions P .. P + N - 2.
            BenchTestKind.Parallel => test.Batch * Enumerable.Range(test.Depth, test.Count - 1).Sum(p => cost.StepFlops(1, p)),
            _ => Enumerable.Range(1, tokens).Sum(p => cost.StepFlops(1, p)), // the steps after the prompt token
        };
        double flopsPerToken = flops / tokens;
        double intensity = bytesPerToken > 0 ? flopsPerToken / bytesPerToken : double.PositiveInfinity;
        var flopsPerSecond = rates.Times(flopsPerToken);
        double bandwidthRoof = bandwidth.BytesPerSecond * intensity;
        bool bandwidthBound = bandwidthRoof <= peak.FlopsPerSecond;
        double roof = Math.Min(bandwidthRoof, peak.FlopsPerSecond);

        return new BenchTestResult
        {
            Name = test.Name,
            Kind = test.Kind,
            Depth = test.Depth,
            Batch = test.Batch,
            Tokens = tokens,
            Seconds = seconds,
            TokensPerSecond = rates,
            MillisecondsPerToken = msPerToken,
            WeightBytesPerToken = bytesPerToken,
            GigabytesPerSecond = rates.Times(bytesPerToken / 1e9),
            FlopsPerToken = flopsPerToken,
            FlopsPerSecond = flopsPerSecond,
            ArithmeticIntensity = intensity,
            RooflinePercent = bandwidth.BytesPerSecond > 0 ? 100 * rates.Mean * bytesPerToken / bandwidth.BytesPerSecond : double.NaN,
            ComputePercent = peak.FlopsPerSecond > 0 ? 100 * flopsPerSecond.Mean / peak.FlopsPerSecond : double.NaN,
            AttainablePercent = roof > 0 ? 100 * flopsPerSecond.Mean / roof : double.NaN,
            BandwidthBound = bandwidthBound,
            TimeToFirstTokenMs = test.Kind is BenchTestKind.Decode or BenchTestKind.Parallel ? MeanSd.Of([.. runs.Select(r => r.TtftSeconds * 1000)]) : null,
            TimePerOutputTokenMs = test.Kind switch
            {
                BenchTestKind.Decode => msPerToken,
                BenchTestKind.Parallel => MeanSd.Of([.. runs.Select(r => r.TpotSeconds * 1000)]),
                _ => null,
            },
        };
    }
}
