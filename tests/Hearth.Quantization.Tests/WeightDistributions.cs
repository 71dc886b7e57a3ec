namespace Hearth.Quantization.Tests;

/// <summary>Seeded test inputs shaped like real weights: Gaussian rows, heavy tails, outliers, zero and constant blocks.</summary>
internal static class WeightDistributions
{
    public static readonly string[] Names = ["gaussian", "heavy-tailed", "outliers", "zeros-and-constants"];

    public static float[] Make(string name, int length, int seed)
    {
        var rng = new Random(seed);
        var x = new float[length];
        switch (name)
        {
            case "gaussian":
                for (int i = 0; i < length; i++) x[i] = 0.02f * Gaussian(rng);
                break;
            case "heavy-tailed":
                // Student-t with 3 degrees of freedom: g / sqrt(chi2(3) / 3)
                for (int i = 0; i < length; i++)
                {
                    float chi = 0;
                    for (int k = 0; k < 3; k++)
                    {
                        float g = Gaussian(rng);
                        chi += g * g;
                    }
                    x[i] = 0.02f * Gaussian(rng) / MathF.Sqrt(chi / 3 + 1e-6f);
                }
                break;
            case "outliers":
                for (int i = 0; i < length; i++) x[i] = 0.02f * Gaussian(rng);
                for (int k = 0; k < length / 500 + 1; k++) x[rng.Next(length)] = (rng.Next(2) == 0 ? -1 : 1) * (0.5f + rng.NextSingle());
                break;
            case "zeros-and-constants":
                for (int i = 0; i < length; i++)
                {
                    int block = i / 256;
                    x[i] = (block % 4) switch
                    {
                        0 => 0f,
                        1 => 0.0375f,
                        2 => i % 7 == 0 ? 0.05f * Gaussian(rng) : 0f, // sparse
                        _ => 0.02f * Gaussian(rng),
                    };
                }
                break;
            default:
                throw new ArgumentException(name, nameof(name));
        }
        return x;
    }

    private static float Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
