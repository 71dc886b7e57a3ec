using System.CommandLine;
using Hearth.Compute;
using Hearth.Models;
using Hearth.Runtime;
using Hearth.Runtime.Generation;
using Hearth.Runtime.Serving;
using Hearth.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Hearth.Cli.Commands;

/// <summary>hearth serve: the OpenAI-compatible HTTP server (and web chat page) over one model.</summary>
internal static class ServeCommand
{
    /// <summary>Tests: called with the started application instead of waiting for Ctrl+C; the test stops it.</summary>
    internal static Func<WebApplication, Task>? OnStartedForTests { get; set; }

    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var backend = CommonOptions.Backend();
        var device = CommonOptions.Device();
        var contextLength = CommonOptions.Context();
        var threads = new Option<int?>("--threads", "-t") { Description = "Threads for the backend (default: every logical core)" };
        var host = new Option<string>("--host") { Description = "Address to bind (default 127.0.0.1: this machine only; 0.0.0.0 for every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0 = any free port)", DefaultValueFactory = _ => 8080 };
        var apiKey = new Option<string?>("--api-key") { Description = "Require 'Authorization: Bearer KEY' on /v1 (default: $HEARTH_API_KEY, else no key)" };
        var maxQueue = new Option<int>("--max-queue") { Description = "Requests that may wait for a free sequence slot (past --max-sequences running ones); more get 429 with Retry-After", DefaultValueFactory = _ => 16 };
        var name = new Option<string?>("--served-model-name") { Description = "Model id clients send and /v1/models lists (default: the model's folder or file name)" };
        var maxBody = new Option<int>("--max-body-mib") { Description = "Largest request body in MiB", DefaultValueFactory = _ => 4 };
        var log = new Option<bool>("--log-requests") { Description = "Print one line per request" };
        var engineKind = new Option<string>("--engine") { Description = "batching (continuous batching over a paged KV cache) or sequential (one request at a time)", DefaultValueFactory = _ => "batching" };
        engineKind.AcceptOnlyFromAmong("batching", "sequential");
        var kvMemory = new Option<int?>("--kv-cache-mib") { Description = "KV cache budget in MiB (default: --kv-memory-fraction of the available memory)" };
        var kvFraction = new Option<double>("--kv-memory-fraction") { Description = "Share of the available memory for the KV cache when --kv-cache-mib is not given", DefaultValueFactory = _ => 0.5 };
        var kvType = new Option<string>("--kv-type") { Description = "KV cache element type: f32 or f16", DefaultValueFactory = _ => "f32" };
        kvType.AcceptOnlyFromAmong("f32", "f16");
        var blockSize = new Option<int>("--block-size") { Description = "Tokens per KV cache block", DefaultValueFactory = _ => 16 };
        var maxStepTokens = new Option<int>("--max-batch-tokens") { Description = "Token budget of one step (decodes plus prefill chunks)", DefaultValueFactory = _ => 512 };
        var maxSequences = new Option<int>("--max-sequences") { Description = "Sequences running at once", DefaultValueFactory = _ => 64 };
        var noPrefixCache = new Option<bool>("--no-prefix-caching") { Description = "Do not share KV blocks of identical prompt prefixes between requests" };
        var deviceTopK = new Option<int?>("--device-top-k") { Description = $"Candidates a GPU step returns instead of the logits rows when every sequence can sample from them (default {GeneratorOptions.DefaultDeviceTopK} on a GPU, 0 = read the rows)" };
        CommonOptions.Check(deviceTopK, v => v is not int i || i is >= 0 and <= TopKParams.MaxK, $"in [0, {TopKParams.MaxK}]");
        CommonOptions.Check(kvMemory, v => v is not int i || i > 0, "> 0");
        CommonOptions.Check(kvFraction, v => v is > 0 and <= 1, "in (0, 1]");
        CommonOptions.Check(blockSize, v => v is > 0 and <= 1024, "in [1, 1024]");
        CommonOptions.Check(maxStepTokens, v => v > 0, "> 0");
        CommonOptions.Check(maxSequences, v => v > 0, "> 0");
        CommonOptions.Positive(contextLength);
        CommonOptions.Check(threads, v => v is not int i || i > 0, "> 0");
        CommonOptions.Check(port, v => v is >= 0 and <= 65535, "in [0, 65535]");
        CommonOptions.Check(maxQueue, v => v >= 0, ">= 0");
        CommonOptions.Check(maxBody, v => v is > 0 and <= 1024, "in [1, 1024]");

        var command = new Command("serve", "Serve the model over an OpenAI-compatible HTTP API, with a chat page at /")
        {
            model, backend, device, contextLength, threads, host, port, apiKey, maxQueue, name, maxBody, log,
            engineKind, kvMemory, kvFraction, kvType, blockSize, maxStepTokens, maxSequences, noPrefixCache, deviceTopK,
        };
        command.SetAction(parse =>
        {
            var path = ModelLocator.Resolve(parse.GetValue(model));
            var hearth = LoadModel(path, CommonOptions.BackendName(parse, backend, device, context), parse.GetValue(threads), parse.GetValue(contextLength),
                parse.GetValue(deviceTopK));
            IInferenceEngine engine;
            try
            {
                engine = parse.GetValue(engineKind) == "sequential"
                    ? new SequentialEngine(hearth, new SequentialEngineOptions
                    {
                        MaxWaitingRequests = parse.GetValue(maxQueue),
                        ModelName = parse.GetValue(name),
                    }, ownsModel: true)
                    : new OwningBatchingEngine(BatchingEngine.Create(hearth, new BatchingEngineOptions
                    {
                        MaxWaitingRequests = parse.GetValue(maxQueue),
                        ModelName = parse.GetValue(name),
                        KvCacheBytes = parse.GetValue(kvMemory) is int mib ? mib * (1L << 20) : null,
                        KvMemoryFraction = parse.GetValue(kvFraction),
                        KvCacheType = parse.GetValue(kvType) == "f16" ? Core.TensorType.F16 : Core.TensorType.F32,
                        BlockSize = parse.GetValue(blockSize),
                        ContextLength = parse.GetValue(contextLength),
                        MaxTokensPerStep = parse.GetValue(maxStepTokens),
                        MaxSequences = parse.GetValue(maxSequences),
                        PrefixCaching = !parse.GetValue(noPrefixCache),
                        DeviceTopK = parse.GetValue(deviceTopK),
                    }), hearth);
            }
            catch
            {
                hearth.Dispose();
                throw;
            }
            try
            {
                var key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("HEARTH_API_KEY");
                var app = HearthServer.Build(engine, new ServerOptions
                {
                    Host = parse.GetValue(host)!,
                    Port = parse.GetValue(port),
                    ApiKey = string.IsNullOrEmpty(key) ? null : key,
                    MaxRequestBodyBytes = parse.GetValue(maxBody) * (1L << 20),
                    LogRequests = parse.GetValue(log),
                });
                try
                {
                    Run(app, engine, key is not null, context).GetAwaiter().GetResult();
                }
                finally
                {
                    ((IAsyncDisposable)app).DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
            finally
            {
                engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return 0;
        });
        return command;
    }

    private static async Task Run(WebApplication app, IInferenceEngine engine, bool hasKey, CliContext context)
    {
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // Kestrel reports a port in use or an address it cannot bind as an IOException.
            throw new Core.HearthException($"cannot listen: {e.Message}");
        }
        var address = HearthServer.BoundAddress(app);
        context.Out.WriteLine($"serving {engine.ModelName} (context {engine.ContextLength}) at {address}");
        if (engine is OwningBatchingEngine { Engine: var batching })
        {
            var m = batching.GetMetrics();
            context.Out.WriteLine($"  KV cache: {m.KvBlocksTotal} blocks of {m.KvBlockSize} tokens, {m.KvCacheBytes / (1 << 20)} MiB");
            context.Out.WriteLine(batching.DeviceTopK > 0
                ? $"  device top-k: {batching.DeviceTopK} candidates per sequence when sampling allows (logits stay on the device)"
                : "  device top-k: off (steps return logits rows)");
        }
        context.Out.WriteLine($"  chat page: {address}/   API: {address}/v1   metrics: {address}/metrics{(hasKey ? "   (API key required)" : "")}");
        context.Out.Flush();
        if (OnStartedForTests is { } started)
        {
            await started(app).ConfigureAwait(false);
            return;
        }
        await app.WaitForShutdownAsync().ConfigureAwait(false);
    }

    /// <summary>Loads the model on a backend created with a thread count (HearthModel.Load takes none).</summary>
    internal static HearthModel LoadModel(string path, string backend, int? threads, int? contextLength, int? deviceTopK = null)
    {
        BuiltInBackends.EnsureRegistered();
        var device = BackendRegistry.Create(backend, new BackendOptions { ThreadCount = threads });
        Model? loaded = null;
        try
        {
            loaded = Model.Load(path);
            return new HearthModel(new ModelAdapter(loaded), device, loaded.ChatTemplate, path,
                new HearthModelOptions { Backend = backend, ContextLength = contextLength, DeviceTopK = deviceTopK }, ownsDevice: true, ownedModel: loaded);
        }
        catch
        {
            loaded?.Dispose();
            device.Dispose();
            throw;
        }
    }

    /// <summary>The batching engine plus the model it runs on, disposed together when the server stops.</summary>
    internal sealed class OwningBatchingEngine(BatchingEngine engine, HearthModel model) : IInferenceEngine
    {
        public BatchingEngine Engine => engine;
        public string ModelName => engine.ModelName;
        public Tokenizers.ITokenizer Tokenizer => engine.Tokenizer;
        public Tokenizers.ChatTemplates.ChatTemplate? ChatTemplate => engine.ChatTemplate;
        public int ContextLength => engine.ContextLength;
        public IAsyncEnumerable<EngineEvent> Submit(EngineRequest request, CancellationToken cancellationToken = default) => engine.Submit(request, cancellationToken);
        public EngineMetrics GetMetrics() => engine.GetMetrics();

        public async ValueTask DisposeAsync()
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            model.Dispose();
        }
    }
}
