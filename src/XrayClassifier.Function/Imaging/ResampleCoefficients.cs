using System.Numerics;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// One axis of PIL's resampling (Pillow's precompute_coeffs): output pixel i is centred at (i + ½)·in/out;
/// the kernel (bilinear 1, bicubic 2 with a = −0.5, lanczos 3 lobes) is widened by the scale when
/// shrinking, which is what antialiases; taps falling outside the image are dropped and the rest
/// renormalised. Weights are kept as doubles and as PIL's 8-bit fixed point (22 fraction bits, rounded
/// away from zero), each output's taps padded with zeros to a whole number of vectors.
/// </summary>
internal sealed class ResampleCoefficients
{
    /// <summary>Pillow's PRECISION_BITS for 8-bit images: 32 − 8 − 2.</summary>
    public const int PrecisionBits = 22;

    private ResampleCoefficients(int inSize, int outSize, int stride, int[] starts, int[] counts, double[] weights)
    {
        InSize = inSize; OutSize = outSize; Stride = stride; Starts = starts; Counts = counts;
        Fixed = new int[weights.Length];
        Single = new float[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            double w = weights[i];
            Fixed[i] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
            Single[i] = (float)w;
        }
    }

    public int InSize { get; }
    public int OutSize { get; }
    /// <summary>Slots per output in the weight arrays (the widest kernel, rounded up to a vector).</summary>
    public int Stride { get; }
    /// <summary>First input index of each output.</summary>
    public int[] Starts { get; }
    /// <summary>Taps that fall inside the image, per output.</summary>
    public int[] Counts { get; }
    /// <summary>The most taps any output has.</summary>
    public int MaxCount => Counts.Length == 0 ? 0 : Counts.Max();
    public int[] Fixed { get; }
    public float[] Single { get; }

    public static ResampleCoefficients For(int inSize, int outSize, Interpolation interpolation)
    {
        double support = interpolation switch
        {
            Interpolation.Bilinear => 1.0,
            Interpolation.Bicubic => 2.0,
            Interpolation.Lanczos3 => 3.0,
            Interpolation.Nearest => throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "nearest is not a convolution"),
        };
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        support *= filterScale;
        int taps = (int)Math.Ceiling(support) * 2 + 1;
        int lanes = Math.Max(Vector<int>.Count, Vector<float>.Count);
        int stride = (taps + lanes - 1) / lanes * lanes;

        var starts = new int[outSize];
        var counts = new int[outSize];
        var weights = new double[outSize * stride];
        for (int o = 0; o < outSize; o++)
        {
            double centre = (o + 0.5) * scale;
            int min = Math.Max(0, (int)(centre - support + 0.5));
            int count = Math.Min(inSize, (int)(centre + support + 0.5)) - min;
            double total = 0;
            for (int k = 0; k < count; k++)
            {
                double w = Kernel(interpolation, (k + min - centre + 0.5) / filterScale);
                weights[o * stride + k] = w;
                total += w;
            }
            if (total != 0)
                for (int k = 0; k < count; k++) weights[o * stride + k] /= total;
            starts[o] = min;
            counts[o] = count;
        }
        return new ResampleCoefficients(inSize, outSize, stride, starts, counts, weights);
    }

    private static double Kernel(Interpolation interpolation, double x) => interpolation switch
    {
        Interpolation.Bilinear => Triangle(Math.Abs(x)),
        Interpolation.Bicubic => Cubic(Math.Abs(x)),
        Interpolation.Lanczos3 => x >= -3 && x < 3 ? Sinc(x) * Sinc(x / 3) : 0,
        Interpolation.Nearest => throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "nearest is not a convolution"),
    };

    private static double Triangle(double x) => x < 1 ? 1 - x : 0;

    /// <summary>PIL's bicubic kernel (a = −0.5) at |x|.</summary>
    private static double Cubic(double x)
    {
        const double a = -0.5;
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }

    private static double Sinc(double x)
    {
        if (x == 0) return 1;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }
}
