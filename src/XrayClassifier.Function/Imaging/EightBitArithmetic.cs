namespace XrayClassifier.Function.Imaging;

/// <summary>
/// PIL's resize of 8-bit images, bit for bit: 22-bit fixed-point weights, each pass rounded and clipped to
/// 8 bits as Pillow's ImagingResampleHorizontal/Vertical_8bpc do. Pillow starts each sum at ½ (in fixed
/// point) so that the shift rounds; <see cref="EndPass(int)"/> adds the ½ last instead, which is the same in
/// wrapping int arithmetic and lets every sum start at zero.
/// </summary>
internal readonly struct EightBitArithmetic : IResampleArithmetic<int, byte>
{
    private const int Half = 1 << (ResampleCoefficients.PrecisionBits - 1);

    public static int[] Weights(ResampleCoefficients axis) => axis.Fixed;

    public static int[] Weights(VerticalTaps taps) => taps.Fixed;

    /// <summary>Pillow's clip8: the fixed-point sum, rounded, back to 0…255.</summary>
    public static int EndPass(int sum) => Math.Clamp((sum + Half) >> ResampleCoefficients.PrecisionBits, 0, 255);

    public static void EndPass(ReadOnlySpan<int> sums, Span<int> samples)
    {
        for (int x = 0; x < sums.Length; x++) samples[x] = EndPass(sums[x]);
    }

    public static void Store(ReadOnlySpan<int> samples, Span<byte> target)
    {
        for (int x = 0; x < samples.Length; x++) target[x] = (byte)samples[x];
    }
}
