using System.Runtime.CompilerServices;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// PIL's resampling (Image.resize with BILINEAR, BICUBIC or LANCZOS): a separable convolution, horizontal
/// pass then vertical, each output pixel centred at (x + ½)·in/out, the kernel widened by the scale when
/// shrinking (antialiasing), clipped at the image edge and renormalised. Computed in float.
/// The pipeline uses it only for axes that grow: libvips enlarges with affine interpolators that sample
/// at other positions than PIL (measured: mean 14 grey levels off on a noisy 150×120 → 224² enlargement),
/// while its reduce matches PIL for shrinking. Enlarged axes come from small images, so this is cheap.
/// </summary>
internal static class ConvolutionResampler
{
    public static float[] Resize<T>(ReadOnlySpan<T> source, int width, int height, int bands,
        int targetWidth, int targetHeight, Interpolation interpolation) where T : unmanaged
    {
        var input = new float[width * height * bands];
        for (int i = 0; i < input.Length; i++) input[i] = ToFloat(source[i]);
        // PIL keeps 8-bit images 8-bit between and after the passes (rounded, clipped: the overshoot of
        // bicubic and lanczos lobes is cut at 0 and 255); 16-bit ones go through float ('F') unclipped.
        bool eightBit = typeof(T) == typeof(byte);

        float[] horizontal = input;
        if (targetWidth != width)
        {
            var (starts, counts, weights, stride) = Coefficients(width, targetWidth, interpolation);
            horizontal = new float[targetWidth * height * bands];
            for (int y = 0; y < height; y++)
            {
                int rowIn = y * width * bands, rowOut = y * targetWidth * bands;
                for (int x = 0; x < targetWidth; x++)
                {
                    for (int b = 0; b < bands; b++)
                    {
                        double sum = 0;
                        for (int k = 0; k < counts[x]; k++)
                            sum += weights[x * stride + k] * input[rowIn + (starts[x] + k) * bands + b];
                        horizontal[rowOut + x * bands + b] = eightBit ? Clip8(sum) : (float)sum;
                    }
                }
            }
        }

        if (targetHeight == height) return horizontal;
        {
            var (starts, counts, weights, stride) = Coefficients(height, targetHeight, interpolation);
            var output = new float[targetWidth * targetHeight * bands];
            int row = targetWidth * bands;
            for (int y = 0; y < targetHeight; y++)
            {
                for (int i = 0; i < row; i++)
                {
                    double sum = 0;
                    for (int k = 0; k < counts[y]; k++)
                        sum += weights[y * stride + k] * horizontal[(starts[y] + k) * row + i];
                    output[y * row + i] = eightBit ? Clip8(sum) : (float)sum;
                }
            }
            return output;
        }
    }

    private static float Clip8(double value) => Math.Clamp(MathF.Floor((float)value + 0.5f), 0f, 255f);

    private static float ToFloat<T>(T value) where T : unmanaged =>
        typeof(T) == typeof(byte) ? Unsafe.As<T, byte>(ref value)
        : typeof(T) == typeof(ushort) ? Unsafe.As<T, ushort>(ref value)
        : typeof(T) == typeof(float) ? Unsafe.As<T, float>(ref value)
        : throw new NotSupportedException(typeof(T).Name);

    /// <summary>PIL's precompute_coeffs: for each output index, the first input index, the tap count and
    /// the normalised weights (row-major, <c>stride</c> per output).</summary>
    private static (int[] Starts, int[] Counts, double[] Weights, int Stride) Coefficients(int inSize, int outSize, Interpolation interpolation)
    {
        double support = interpolation switch
        {
            Interpolation.Bilinear => 1.0,
            Interpolation.Bicubic => 2.0,
            Interpolation.Lanczos3 => 3.0,
            _ => throw new ArgumentOutOfRangeException(nameof(interpolation)),
        };
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        support *= filterScale;
        int stride = (int)Math.Ceiling(support) * 2 + 1;
        var starts = new int[outSize];
        var counts = new int[outSize];
        var weights = new double[outSize * stride];
        for (int o = 0; o < outSize; o++)
        {
            double centre = (o + 0.5) * scale;
            int min = Math.Max(0, (int)(centre - support + 0.5));
            int max = Math.Min(inSize, (int)(centre + support + 0.5)) - min;
            double total = 0;
            for (int k = 0; k < max; k++)
            {
                double w = Kernel(interpolation, (k + min - centre + 0.5) / filterScale);
                weights[o * stride + k] = w;
                total += w;
            }
            if (total != 0)
                for (int k = 0; k < max; k++) weights[o * stride + k] /= total;
            starts[o] = min;
            counts[o] = max;
        }
        return (starts, counts, weights, stride);
    }

    private static double Kernel(Interpolation interpolation, double x)
    {
        x = Math.Abs(x);
        switch (interpolation)
        {
            case Interpolation.Bilinear:
                return x < 1 ? 1 - x : 0;
            case Interpolation.Bicubic:
                const double a = -0.5;
                if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
                if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
                return 0;
            default:
                return x < 3 ? Sinc(x) * Sinc(x / 3) : 0;
        }
    }

    private static double Sinc(double x) => x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
}
