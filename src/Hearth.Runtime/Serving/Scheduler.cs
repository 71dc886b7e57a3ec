using Hearth.Runtime.KvCache;

namespace Hearth.Runtime.Serving;

/// <summary>A run of consecutive tokens of one sequence in a step: positions [Start, Start + Count).</summary>
internal readonly record struct ScheduledChunk(EngineSequence Sequence, int Start, int Count)
{
    /// <summary>Whether the chunk ends at the sequence's last token, so the step yields its next-token logits.</summary>
    public bool WantsLogits => Start + Count == Sequence.Tokens.Count;
}

/// <summary>
/// Iteration-level scheduling (one decision per step). Order: running sequences that decode (one token each), then
/// running sequences still in prefill, then waiting ones, first come first served, while the step's token budget and
/// the sequence limit allow; prefill is cut into chunks that fit the budget. When blocks run out for a running sequence,
/// the youngest running sequence not yet in the step is preempted: its blocks are freed and it goes back to the front of
/// the waiting queue to be recomputed (its full blocks usually survive in the prefix cache). Waiting sequences never
/// preempt running ones. A waiting choice of a request whose sibling choice is running forks the sibling's prompt
/// blocks instead of computing them (<see cref="EngineRequest.ShareGroup"/>). Not thread-safe: the step thread owns it.
/// </summary>
internal sealed class Scheduler(KvBlockManager blocks, int maxTokensPerStep, int maxSequences, bool prefixCaching)
{
    private readonly List<EngineSequence> _running = [];
    private readonly LinkedList<EngineSequence> _waiting = new();

    public IReadOnlyList<EngineSequence> Running => _running;
    public int WaitingCount => _waiting.Count;
    public long Preemptions { get; private set; }

    /// <summary>Prompt tokens found cached (prefix cache or a forked sibling) when sequences were first admitted.</summary>
    public long CachedPromptTokens { get; private set; }
    private long _preemptionsAtStart;
    public bool HasWork => _running.Count > 0 || _waiting.Count > 0;

    public void Enqueue(EngineSequence sequence) => _waiting.AddLast(sequence);

    /// <summary>Every sequence, waiting or running.</summary>
    public IEnumerable<EngineSequence> All => _running.Concat(_waiting);

    /// <summary>Takes a sequence out (finished or cancelled) and frees its blocks.</summary>
    public void Remove(EngineSequence sequence)
    {
        if (!_running.Remove(sequence)) _waiting.Remove(sequence);
        blocks.Free(sequence.Table);
    }

    public List<ScheduledChunk> Schedule()
    {
        var chunks = new List<ScheduledChunk>();
        var scheduled = new HashSet<EngineSequence>();
        _preemptionsAtStart = Preemptions;
        int budget = maxTokensPerStep;

        // Running sequences, decodes first, oldest first within each group.
        var order = _running.OrderBy(s => s.Pending == 1 ? 0 : 1).ThenBy(s => s.Id).ToList();
        foreach (var sequence in order)
        {
            if (budget == 0) break;
            if (!_running.Contains(sequence)) continue;  // preempted by an older one in this loop
            int count = Math.Min(sequence.Pending, budget);
            if (count <= 0) continue;
            bool placed = true;
            // A prefill chunk shrinks to the blocks there are before anyone is preempted for it.
            if (count > 1) count = Math.Max(1, Math.Min(count, Fit(sequence)));
            while (!blocks.TryPrepareWrite(sequence.Table, sequence.Computed, sequence.Computed + count))
            {
                var victim = _running.Where(s => !scheduled.Contains(s)).MaxBy(s => s.Id)!;
                Preempt(victim);
                if (victim == sequence)
                {
                    placed = false;
                    break;
                }
            }
            if (!placed) continue;
            chunks.Add(new ScheduledChunk(sequence, sequence.Computed, count));
            scheduled.Add(sequence);
            budget -= count;
        }

        // Waiting sequences join while there is budget, room and blocks (not in a step that had to preempt: the
        // blocks just freed would only be fought over again).
        long preemptionsBefore = Preemptions;
        while (budget > 0 && _running.Count < maxSequences && preemptionsBefore == _preemptionsAtStart && _waiting.First is { } node)
        {
            var sequence = node.Value;
            if (sequence.Table.Blocks.Count == 0 && sequence.Computed == 0 && SiblingOf(sequence) is { } sibling)
            {
                // Another choice of the same request: fork its prompt blocks once it has computed them; this one then
                // runs only its last prompt token (copy-on-write where that shares a block).
                int shared = sequence.PromptLength - 1;
                if (sibling.Computed < shared) break;
                var forked = blocks.Fork(sibling.Table, shared);
                sequence.Table.BlockList.AddRange(forked.BlockList);
                sequence.Table.HashList.AddRange(forked.HashList);
                sequence.Computed = shared;
                if (!sequence.WasAdmitted) sequence.CachedPromptTokens = shared;
            }
            if (prefixCaching && sequence.Table.Blocks.Count == 0 && sequence.Computed == 0)
            {
                int matched = blocks.MatchPrefix(sequence.Table, sequence.TokenSpan);
                sequence.Computed = matched;
                if (!sequence.WasAdmitted) sequence.CachedPromptTokens = matched;
            }
            int count = Math.Min(Math.Min(sequence.Pending, budget), Fit(sequence));
            if (count <= 0 || !blocks.TryPrepareWrite(sequence.Table, sequence.Computed, sequence.Computed + count))
            {
                blocks.Free(sequence.Table);
                sequence.Computed = 0;
                break;
            }
            _waiting.RemoveFirst();
            _running.Add(sequence);
            if (!sequence.WasAdmitted) CachedPromptTokens += sequence.CachedPromptTokens;
            sequence.WasAdmitted = true;
            chunks.Add(new ScheduledChunk(sequence, sequence.Computed, count));
            scheduled.Add(sequence);
            budget -= count;
        }
        return chunks;
    }

    // A running sequence of the same share group with the same prompt (EngineRequest.ShareGroup).
    private EngineSequence? SiblingOf(EngineSequence sequence)
    {
        if (sequence.Request.ShareGroup is not { } group) return null;
        var prompt = sequence.TokenSpan[..sequence.PromptLength];
        foreach (var r in _running)
            if (Equals(r.Request.ShareGroup, group) && r.PromptLength == sequence.PromptLength && r.TokenSpan[..r.PromptLength].SequenceEqual(prompt))
                return r;
        return null;
    }

    // Tokens the sequence can still write with the blocks it has plus every available one.
    private int Fit(EngineSequence sequence) =>
        (sequence.Table.Blocks.Count + blocks.Allocator.AvailableCount) * blocks.BlockSize - sequence.Computed;

    private void Preempt(EngineSequence victim)
    {
        _running.Remove(victim);
        blocks.Free(victim.Table);
        victim.Computed = 0;
        // Older sequences are preempted later (the youngest goes first), so adding each at the front keeps arrival order.
        _waiting.AddFirst(victim);
        Preemptions++;
    }
}
