using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Hearth.Runtime.Generation;
using Hearth.Runtime.KvCache;
using Hearth.Runtime.Sampling;

namespace Hearth.Runtime.Serving;

/// <summary>
/// One request inside the engine: its tokens (prompt, then generated), how many of them have keys and values in the
/// cache, its block table, sampler and output state, and the channel its events go to. Touched only by the step thread,
/// except <see cref="RequestCancel"/> and the channel reader.
/// </summary>
internal sealed class EngineSequence
{
    private int _cancelRequested;

    public EngineSequence(long id, EngineRequest request, TokenEmitter emitter)
    {
        Id = id;
        Request = request;
        Emitter = emitter;
        Sampler = new Sampler(request.Sampling);
        Tokens = [.. request.PromptIds];
        PromptLength = Tokens.Count;
        Events = Channel.CreateUnbounded<EngineEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    }

    /// <summary>Arrival order: smaller is older (older sequences keep running when younger ones are preempted).</summary>
    public long Id { get; }
    public EngineRequest Request { get; }
    public Sampler Sampler { get; }
    public TokenEmitter Emitter { get; }
    public List<int> Tokens { get; }
    public int PromptLength { get; }
    public BlockTable Table { get; } = new();
    public Channel<EngineEvent> Events { get; }
    public long Started { get; } = Stopwatch.GetTimestamp();
    public TimeSpan? FirstToken { get; set; }

    /// <summary>Tokens whose keys and values are in the cache (positions [0, Computed)).</summary>
    public int Computed { get; set; }

    /// <summary>Prompt tokens found in the prefix cache at first admission.</summary>
    public int CachedPromptTokens { get; set; }

    /// <summary>Whether the sequence was ever running (its prefix-cache hits are then fixed).</summary>
    public bool WasAdmitted { get; set; }

    public bool Finished { get; set; }

    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Tokens still to run through the model before the next token can be sampled.</summary>
    public int Pending => Tokens.Count - Computed;

    public ReadOnlySpan<int> TokenSpan => CollectionsMarshal.AsSpan(Tokens);

    public bool CancelRequested => Volatile.Read(ref _cancelRequested) != 0;

    /// <summary>From any thread: the step thread ends the sequence at its next step.</summary>
    public void RequestCancel() => Interlocked.Exchange(ref _cancelRequested, 1);
}
