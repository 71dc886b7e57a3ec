using System.Threading.Channels;
using Hearth.Core;
using Hearth.Runtime.Serving;
using Hearth.Server.Api;

namespace Hearth.Server.Endpoints;

/// <summary>
/// The n generations of one request: submitted together, the first one primed (its first event awaited) so that
/// refusals (queue full, prompt too long, bad parameter) still become proper HTTP errors before any byte is sent.
/// </summary>
internal sealed class EngineStreams : IAsyncDisposable
{
    private readonly List<IAsyncEnumerator<EngineEvent>> _streams;
    private readonly EngineEvent? _primed;

    private EngineStreams(List<IAsyncEnumerator<EngineEvent>> streams, EngineEvent? primed)
    {
        _streams = streams;
        _primed = primed;
    }

    public int Count => _streams.Count;

    public static async Task<EngineStreams> StartAsync(IInferenceEngine engine, IReadOnlyList<EngineRequest> requests, CancellationToken cancellationToken)
    {
        var streams = new List<IAsyncEnumerator<EngineEvent>>(requests.Count);
        try
        {
            foreach (var request in requests)
                streams.Add(engine.Submit(request, cancellationToken).GetAsyncEnumerator(cancellationToken));
            // Engines may refuse on the first MoveNext instead of in Submit: both become HTTP errors here.
            if (!await streams[0].MoveNextAsync().ConfigureAwait(false))
                throw new HearthException("the engine ended a generation without a finish event");
            return new EngineStreams(streams, streams[0].Current);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            foreach (var s in streams) await DisposeQuietly(s).ConfigureAwait(false);
            throw Map(e);
        }
        catch
        {
            foreach (var s in streams) await DisposeQuietly(s).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Engine refusals as API errors.</summary>
    public static Exception Map(Exception e) => e switch
    {
        ApiException => e,
        EngineOverloadedException o => ApiException.Overloaded(o.Message, Math.Max(1, (int)Math.Ceiling(o.RetryAfter.TotalSeconds))),
        PromptTooLongException p => ApiException.ContextTooLong(p.Message),
        ObjectDisposedException => new ApiException(503, "the server is shutting down", "server_error", null, "unavailable"),
        HearthException h => ApiException.BadRequest(h.Message, null),
        _ => e,
    };

    /// <summary>Every event of every choice, in arrival order, tagged with the choice index.</summary>
    public async IAsyncEnumerable<(int Index, EngineEvent Event)> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_streams.Count == 1)
        {
            var only = _streams[0];
            yield return (0, _primed!);
            if (_primed!.Finish is not null) yield break;
            while (await only.MoveNextAsync().ConfigureAwait(false))
            {
                yield return (0, only.Current);
                if (only.Current.Finish is not null) yield break;
            }
            yield break;
        }

        var channel = Channel.CreateUnbounded<(int, EngineEvent)>();
        channel.Writer.TryWrite((0, _primed!));
        var pumps = new Task[_streams.Count];
        for (int i = 0; i < _streams.Count; i++)
        {
            int index = i;
            bool skipFirst = i == 0 && _primed!.Finish is not null;
            pumps[i] = Task.Run(async () =>
            {
                if (skipFirst) return;
                var s = _streams[index];
                while (await s.MoveNextAsync().ConfigureAwait(false))
                {
                    channel.Writer.TryWrite((index, s.Current));
                    if (s.Current.Finish is not null) break;
                }
            }, CancellationToken.None);
        }
        var all = Task.WhenAll(pumps).ContinueWith(t => channel.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            yield return item;
        await all.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _streams) await DisposeQuietly(s).ConfigureAwait(false);
    }

    private static async ValueTask DisposeQuietly(IAsyncEnumerator<EngineEvent> stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or NotSupportedException)
        {
            // An enumerator still running (a pump cancelled mid-read) cannot be disposed; cancellation ends it.
        }
    }
}

