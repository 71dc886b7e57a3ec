using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Hearth.Compute;
using Hearth.Core;
using Hearth.Models;
using Hearth.Runtime.Generation;
using Hearth.Tokenizers;
using Hearth.Tokenizers.ChatTemplates;

namespace Hearth.Runtime;

/// <summary>Settings of a loaded model.</summary>
public sealed record HearthModelOptions
{
    /// <summary>Backend name: "cpu" (SIMD, the default), "cpu-ref" (the scalar reference), ...</summary>
    public string Backend { get; init; } = Hearth.Backends.Cpu.CpuBackends.FastName;

    /// <summary>Context (KV cache capacity) of the model's sequence; null = the model's, capped at 4096.</summary>
    public int? ContextLength { get; init; }

    /// <summary>Device top-k candidates of the model's generators (<see cref="GeneratorOptions.DeviceTopK"/>; null = the backend's default).</summary>
    public int? DeviceTopK { get; init; }
}

/// <summary>
/// The .NET entry point: a model loaded on a backend, with one sequence (KV cache) that
/// generations share in turn, reusing the cache of a common prompt prefix.
/// </summary>
public sealed class HearthModel : IDisposable
{
    private readonly IComputeDevice _device;
    private readonly bool _ownsDevice;
    private readonly IDisposable? _ownedModel;
    private readonly HearthModelOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Generator? _generator;
    private bool _disposed;

    /// <summary>Wraps an already loaded model (tests use fakes through this).</summary>
    public HearthModel(IGenerativeModel model, IComputeDevice device, ChatTemplate? chatTemplate, string name,
        HearthModelOptions? options = null, bool ownsDevice = false, IDisposable? ownedModel = null)
    {
        GenerativeModel = model ?? throw new ArgumentNullException(nameof(model));
        _device = device ?? throw new ArgumentNullException(nameof(device));
        ChatTemplate = chatTemplate;
        Name = name;
        _options = options ?? new HearthModelOptions();
        _ownsDevice = ownsDevice;
        _ownedModel = ownedModel;
    }

    /// <summary>Loads a GGUF file or HF folder on a backend. Errors are <see cref="HearthException"/>s naming the problem.</summary>
    public static HearthModel Load(string path, HearthModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new HearthModelOptions();
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new HearthException($"model not found: {path} (expected a .gguf file or a Hugging Face folder)");
        BuiltInBackends.EnsureRegistered();
        var device = BackendRegistry.Create(options.Backend);
        Model? model = null;
        try
        {
            model = Model.Load(path);
            return new HearthModel(new ModelAdapter(model), device, model.ChatTemplate, path, options, ownsDevice: true, ownedModel: model)
            {
                Model = model,
            };
        }
        catch
        {
            model?.Dispose();
            device.Dispose();
            throw;
        }
    }

    /// <summary>The loaded model (null when wrapping a custom <see cref="IGenerativeModel"/>).</summary>
    public Model? Model { get; private init; }
    public IGenerativeModel GenerativeModel { get; }
    public IComputeDevice Device => _device;
    public ITokenizer Tokenizer => GenerativeModel.Tokenizer;
    public ChatTemplate? ChatTemplate { get; }
    /// <summary>Path or name shown to users.</summary>
    public string Name { get; }
    public HearthModelOptions Options => _options;

    /// <summary>Encodes a prompt with the model's own BOS setting.</summary>
    public int[] Encode(string text) => Tokenizer.Encode(text, addSpecialTokens: true);

    /// <summary>Generates synchronously, calling <paramref name="onChunk"/> for every token. Cancellation stops
    /// generation with <see cref="StopReason.Cancelled"/> instead of throwing.</summary>
    public GenerationResult Generate(GenerationRequest request, Action<GenerationChunk>? onChunk = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var promptIds = PromptIdsOf(request);
        _gate.Wait(CancellationToken.None);
        try
        {
            return Run(promptIds, request, onChunk, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Streams generated chunks; the last chunk carries the result. Cancellation throws
    /// <see cref="OperationCanceledException"/>.</summary>
    public async IAsyncEnumerable<GenerationChunk> GenerateAsync(GenerationRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var promptIds = PromptIdsOf(request);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateUnbounded<GenerationChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var producer = Task.Run(() =>
        {
            try
            {
                var result = Run(promptIds, request, chunk => channel.Writer.TryWrite(chunk), stop.Token);
                channel.Writer.TryWrite(new GenerationChunk(-1, "") { Result = result });
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
            finally
            {
                _gate.Release();
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var chunk in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return chunk;
            }
        }
        finally
        {
            // The consumer may stop early: let the producer finish its step and release the model.
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="action"/> with exclusive use of the shared sequence.</summary>
    internal T WithGenerator<T>(Func<Generator, T> action, CancellationToken cancellationToken)
    {
        _gate.Wait(cancellationToken);
        try
        {
            return action(GetGenerator());
        }
        finally
        {
            _gate.Release();
        }
    }

    internal async Task<T> WithGeneratorAsync<T>(Func<Generator, T> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => action(GetGenerator()), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A new, independent generator with its own KV cache.</summary>
    public Generator CreateGenerator(GeneratorOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        options ??= new GeneratorOptions { ContextLength = _options.ContextLength, DeviceTopK = _options.DeviceTopK };
        return new Generator(GenerativeModel, _device, options);
    }

    private Generator GetGenerator()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _generator ??= CreateGenerator();
    }

    private int[] PromptIdsOf(GenerationRequest request)
    {
        if (request.Prompt is not null && request.PromptIds is not null) throw new HearthException("give either a prompt text or prompt ids, not both");
        if (request.PromptIds is not null) return [.. request.PromptIds];
        if (request.Prompt is not null) return Encode(request.Prompt);
        throw new HearthException("no prompt given");
    }

    private GenerationResult Run(int[] promptIds, GenerationRequest request, Action<GenerationChunk>? onChunk, CancellationToken cancellationToken)
    {
        var generator = GetGenerator();
        generator.Sampling = request.Sampling;
        generator.MaxNewTokens = request.MaxNewTokens;
        generator.StopStrings = request.StopStrings;
        generator.IgnoreEos = request.IgnoreEos;
        generator.SkipSpecialTokens = request.SkipSpecialTokens;
        generator.KeepLogits = request.TopLogits > 0;  // before the prompt runs: its step's logits are read
        generator.SetSequence(promptIds);
        return Drive(generator, promptIds, request.TopLogits, onChunk, cancellationToken);
    }

    /// <summary>Generates until a stop condition (or cancellation), collecting ids, text and top logits.</summary>
    internal static GenerationResult Drive(Generator generator, int[] promptIds, int topLogits, Action<GenerationChunk>? onChunk, CancellationToken cancellationToken)
    {
        var generated = new List<int>();
        var text = new StringBuilder();
        var top = topLogits > 0 ? new List<IReadOnlyList<TokenLogit>>() : null;
        bool cancelled = false;
        while (!generator.IsDone)
        {
            if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
            var token = generator.GenerateNextToken();
            top?.Add(TopOf(generator.Logits, topLogits));
            generated.Add(token.Id);
            text.Append(token.Text);
            onChunk?.Invoke(new GenerationChunk(token.Id, token.Text));
        }
        return new GenerationResult
        {
            PromptIds = promptIds,
            GeneratedIds = generated,
            Text = text.ToString(),
            StopReason = cancelled ? StopReason.Cancelled : generator.StopReason ?? StopReason.Cancelled,
            StopMessage = cancelled ? "cancelled" : generator.StopMessage ?? "",
            Timings = generator.Timings,
            TopLogits = top,
        };
    }

    /// <summary>The K largest logits, largest first, lower id first on ties.</summary>
    public static TokenLogit[] TopOf(ReadOnlySpan<float> logits, int k)
    {
        k = Math.Min(k, logits.Length);
        var best = new List<TokenLogit>(k + 1);
        for (int id = 0; id < logits.Length; id++)
        {
            float v = logits[id];
            if (best.Count == k && !(v > best[^1].Logit)) continue;
            int at = best.Count;
            while (at > 0 && v > best[at - 1].Logit) at--;
            best.Insert(at, new TokenLogit(id, v));
            if (best.Count > k) best.RemoveAt(best.Count - 1);
        }
        return [.. best];
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _generator?.Dispose();
        _ownedModel?.Dispose();
        if (_ownsDevice) _device.Dispose();
        _gate.Dispose();
    }
}
