using Hearth.Compute;
using Hearth.Core;

namespace Hearth.Backends.Vulkan;

// One method per op: which shader, which bindings, which push constants, how many workgroups.
public sealed partial class VulkanExecutable
{
    private static uint F(float value) => BitConverter.SingleToUInt32Bits(value);

    private static long Groups(long items, uint perGroup) => (items + perGroup - 1) / perGroup;

    private void Encode(Node node)
    {
        var inputs = node.Inputs;
        switch (node.Op)
        {
            case OpKind.Input or OpKind.Weight or OpKind.Constant or OpKind.State:
                return;
            case OpKind.Embedding:
                EncodeEmbedding(node, inputs[0], inputs[1]);
                return;
            case OpKind.MatMul:
                EncodeMatMul(node, inputs[0], inputs[1]);
                return;
            case OpKind.RmsNorm:
            {
                int n = node.Shape.Last, rows = VulkanSupport.Rows(node);
                Add("rmsnorm", [Value(inputs[0]), Value(inputs[1]), Value(node)], [(uint)n, F(node.P<RmsNormParams>().Eps), (uint)rows], rows);
                return;
            }
            case OpKind.Add or OpKind.Mul:
            {
                long count = node.Shape.ElementCount;
                long bCount = inputs[1].Shape.ElementCount;
                Add(node.Op == OpKind.Add ? "add" : "mul", [Value(inputs[0]), Value(inputs[1]), Value(node)], [(uint)count, (uint)bCount], Groups(count, ElementWorkGroup));
                return;
            }
            case OpKind.Scale:
            {
                long count = node.Shape.ElementCount;
                var x = Value(inputs[0]);
                Add("scale", [x, x, Value(node)], [(uint)count, 1, F(node.P<ScaleParams>().Scale)], Groups(count, ElementWorkGroup));
                return;
            }
            case OpKind.SiluMul:
            {
                long count = node.Shape.ElementCount;
                Add("silu_mul", [Value(inputs[0]), Value(inputs[1]), Value(node)], [(uint)count, (uint)count], Groups(count, ElementWorkGroup));
                return;
            }
            case OpKind.TakeLastRows:
            {
                var x = Value(inputs[0]);
                long count = node.Shape.ElementCount;
                long skip = inputs[0].Shape.ElementCount - count;
                Add("copy", [x, x, Value(node)], [(uint)count, 1, 0, (uint)skip, 0], Groups(count, ElementWorkGroup));
                return;
            }
            case OpKind.Rope:
            {
                var p = node.P<RopeParams>();
                int tokens = VulkanSupport.Rows(node);
                long pairs = (long)tokens * p.HeadCount * (p.HeadDim / 2);
                _inputChecks.Add((inputs[1], int.MaxValue, "positions"));
                Add("rope", [Value(inputs[0]), Value(inputs[1]), Value(inputs[2]), Value(node)],
                    [(uint)tokens, (uint)p.HeadCount, (uint)p.HeadDim, p.Mode == RopeMode.NeoX ? 1u : 0u], Groups(pairs, ElementWorkGroup));
                return;
            }
            case OpKind.KvWrite:
            {
                var cache = VulkanSupport.CacheOf(node)!;
                int tokens = VulkanSupport.Rows(inputs[0]);
                _inputChecks.Add((inputs[1], cache.Capacity, $"slots of KV cache '{cache.Name}' with {cache.Capacity} rows; the context is full"));
                bool f16 = cache.Type == TensorType.F16;
                long items = (long)tokens * cache.Width;
                Add(f16 ? "kv_write_f16" : "kv_write_f32", [Value(inputs[0]), Value(inputs[1]), Value(node)], [(uint)tokens, (uint)cache.Width], Groups(items, ElementWorkGroup));
                return;
            }
            case OpKind.Attention:
                EncodeAttention(node);
                return;
            case OpKind.GatherRows:
            {
                int n = node.Shape.Last, count = node.Shape[0];
                _inputChecks.Add((inputs[1], VulkanSupport.Rows(inputs[0]), $"row indices of '{node.Name}' into {VulkanSupport.Rows(inputs[0])} rows"));
                Add("gather_rows", [Value(inputs[0]), Value(inputs[1]), Value(node)], [(uint)n, (uint)count], Groups((long)n * count, ElementWorkGroup));
                return;
            }
            case OpKind.TopK:
            {
                int rows = VulkanSupport.Rows(inputs[0]);
                Add("topk", [Value(inputs[0]), Value(node)], [(uint)inputs[0].Shape.Last, (uint)node.P<TopKParams>().K, (uint)rows], rows);
                return;
            }
            default:
                throw new HearthException($"graph node '{node.Name}': op {node.Op} has no Vulkan kernel yet");
        }
    }

    // table [vocab, dim] (storage type), ids [T] -> [T, dim]; one dispatch per chunk of table rows.
    private void EncodeEmbedding(Node node, Node table, Node ids)
    {
        var weight = _device.Weight(table.Weight!, asF32: false);
        int tokens = ids.Shape[0], dim = weight.Width;
        _inputChecks.Add((ids, weight.Rows, $"token ids of embedding table '{table.Name}' with {weight.Rows} rows"));
        string shader = "embedding_" + VulkanSupport.ShaderSuffix(weight.Type);
        foreach (var chunk in weight.Chunks)
        {
            var w = new Slice(chunk.Buffer, 0, chunk.Buffer.Size);
            Add(shader, [w, Value(ids), Value(node)], [(uint)dim, (uint)chunk.FirstRow, (uint)chunk.Rows, (uint)tokens, (uint)weight.RowBytes],
                Groups(dim, ElementWorkGroup), (uint)tokens);
        }
    }

    // x [T, K] F32, W [N, K] (weight in its storage type, or an F32 activation) -> [T, N]; one dispatch per weight
    // chunk and per token range (x and y are bound per token range when they exceed one binding).
    private void EncodeMatMul(Node node, Node x, Node w)
    {
        int tokens = VulkanSupport.Rows(x), k = x.Shape.Last, n = node.Shape.Last;
        long limit = _device.ActivationBindingBytes - _context.StorageAlignment;
        int perRange = (int)Math.Max(1, Math.Min(tokens, Math.Min(limit / (4L * k), limit / (4L * n))));
        var xs = Value(x);
        var y = Value(node);
        for (int t0 = 0; t0 < tokens; t0 += perRange)
        {
            int count = Math.Min(perRange, tokens - t0);
            var (xPart, xOffset) = xs.Part(4L * t0 * k, 4L * count * k, _context.StorageAlignment);
            var (yPart, yOffset) = y.Part(4L * t0 * n, 4L * count * n, _context.StorageAlignment);
            // The matrix-vector kernel computes every token's row sums the same way whatever the step holds (batch
            // invariance, which continuous batching relies on); the tiled kernel is faster for prefill but sums in
            // another order, so it is opt-in (VulkanDeviceOptions.TiledPrefill).
            bool vector = !_device.TiledPrefill || count <= MatVecMaxTokens;
            if (w.Op != OpKind.Weight)
            {
                AddMatMul(vector, "f32", Value(w), xPart, yPart, k, n, count, 0, k * 4L, n, xOffset, yOffset);
                continue;
            }
            var weight = _device.Weight(w.Weight!, asF32: false);
            string suffix = VulkanSupport.ShaderSuffix(weight.Type);
            foreach (var chunk in weight.Chunks)
            {
                AddMatMul(vector, suffix, new Slice(chunk.Buffer, 0, chunk.Buffer.Size), xPart, yPart, k, chunk.Rows, count, chunk.FirstRow,
                    weight.RowBytes, n, xOffset, yOffset);
            }
        }
    }

    private void AddMatMul(bool vector, string suffix, Slice w, Slice x, Slice y, int k, int rows, int tokens, int rowStart, long rowBytes,
        int outStride, uint xOffset, uint yOffset)
    {
        uint[] push = [(uint)k, (uint)rows, (uint)tokens, (uint)rowStart, (uint)outStride, (uint)rowBytes, xOffset, yOffset];
        if (vector) Add("matvec_" + suffix, [w, x, y], push, Groups(rows, MatVecRows), (uint)Groups(tokens, MatVecTokens), MatVecWorkGroup, MatVecRows);
        else Add("matmul_" + suffix, [w, x, y], push, Groups(rows, 64), (uint)Groups(tokens, 64), MatMulWorkGroup);
    }
}
