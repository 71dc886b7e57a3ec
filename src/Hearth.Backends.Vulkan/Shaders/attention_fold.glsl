// The one way attention_tiles.comp (flash) and attention_combine.comp (split-K) fold a chunk's partial softmax
// (max m, sum s, weighted values a) into a row's running state (M, S, A). Both kernels fold a row's chunks in
// ascending order with these exact operations (precise: no fused multiply-add in one shader and not the other), so a
// row's output is bit for bit the same whichever kernel ran it: batch invariance across decode and prefill shapes.

// Rescale factors of the running state (alpha) and of the chunk (beta) when the running max becomes max(M, m).
void foldFactors(float runningMax, float chunkMax, out float newMax, out float alpha, out float beta)
{
    newMax = max(runningMax, chunkMax);
    precise float a = exp(runningMax - newMax);
    precise float b = exp(chunkMax - newMax);
    alpha = a;
    beta = b;
}

float foldValue(float running, float chunk, float alpha, float beta)
{
    precise float r = running * alpha + chunk * beta;
    return r;
}
