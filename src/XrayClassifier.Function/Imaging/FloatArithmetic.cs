namespace XrayClassifier.Function.Imaging;

/// <summary>
/// PIL's resize of float ('F') images, which is how 16-bit samples are resized (as floats, never squeezed
/// through 8 bits): single-precision weights, and no rounding or clipping between or after the passes
/// (bicubic and lanczos overshoot is kept, as in the float reference).
/// </summary>
internal readonly struct FloatArithmetic : IResampleArithmetic<float, float>
{
    public static float[] Weights(ResampleCoefficients axis) => axis.Single;

    public static float[] Weights(VerticalTaps taps) => taps.Single;

    public static float EndPass(float sum) => sum;

    public static void EndPass(ReadOnlySpan<float> sums, Span<float> samples) => sums.CopyTo(samples);

    public static void Store(ReadOnlySpan<float> samples, Span<float> target) => samples.CopyTo(target);
}
