using System.Runtime.ExceptionServices;

namespace Hearth.Backends.Cpu.Reference.Ops;

// x [T, in] @ W[out, in]^T -> dst [T, out]; W in any storage type, dequantized inside each dot product
internal static class MatMulOp
{
    public static void Run(float[] x, WeightRows w, int outFeatures, float[] dst)
    {
        int inFeatures = w.Width;
        int tokens = x.Length / inFeatures;
        try
        {
            // Output features are independent, so rows of W may run in parallel; each element's math is the same serial dot.
            Parallel.For(0, outFeatures, o =>
            {
                for (int t = 0; t < tokens; t++)
                    dst[t * outFeatures + o] = w.Dot(o, x.AsSpan(t * inFeatures, inFeatures));
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Surface the first real error (e.g. a HearthException from a row decoder), not the parallel wrapper.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
