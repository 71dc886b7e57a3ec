namespace Hearth.Compute;

/// <summary>Facts about a graph that every backend needs when it compiles one.</summary>
public static class GraphQueries
{
    /// <summary>
    /// Weights read as plain F32 values (norm weights, biases, ...), as opposed to the weight operand of a
    /// MatMul or the table of an Embedding, which kernels read in their storage type. Backends convert
    /// these once at compile time.
    /// </summary>
    public static HashSet<Node> WeightsReadAsActivations(IEnumerable<Node> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var found = new HashSet<Node>();
        foreach (var node in nodes)
        {
            for (int i = 0; i < node.Inputs.Count; i++)
            {
                var input = node.Inputs[i];
                bool readInStorageType = (node.Op == OpKind.MatMul && i == 1) || (node.Op == OpKind.Embedding && i == 0);
                if (input.Op == OpKind.Weight && !readInStorageType) found.Add(input);
            }
        }
        return found;
    }
}
