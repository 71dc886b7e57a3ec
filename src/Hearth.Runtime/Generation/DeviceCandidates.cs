using Hearth.Compute;

namespace Hearth.Runtime.Generation;

/// <summary>
/// Makes a step graph return OpKind.TopK of its logits instead of the logits rows (the rows stay on the device), for the
/// single-sequence <see cref="StepRunner"/> and the batching engine's step runner alike.
/// </summary>
internal static class DeviceCandidates
{
    /// <summary>The TopK output now read instead of <paramref name="logits"/>, or null (graph unchanged) when the device
    /// does not run the op.</summary>
    public static Node? Attach(ComputeGraph graph, Node logits, int k, IComputeDevice device)
    {
        var topK = graph.TopK("logits_topk", logits, k);
        // An unsupported node must not reach Compile: the caller builds the plain graph again.
        if (!device.Supports(topK)) return null;
        graph.UnmarkOutput(logits);
        graph.MarkOutput(topK);
        return topK;
    }
}
