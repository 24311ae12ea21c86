using System.Numerics;

namespace XrayClassifier.Function.Imaging;

/// <summary>
/// The arithmetic of one of PIL's resizes, for <see cref="Resampler{TSample, TOutput, TArithmetic}"/>: which
/// weights the samples are multiplied by and what happens to a sum of weighted samples at the end of each
/// pass. Sums begin at zero; whatever a pass adds before rounding belongs in <c>EndPass</c>.
/// </summary>
internal interface IResampleArithmetic<TSample, TOutput>
    where TSample : unmanaged, INumber<TSample>
{
    /// <summary>The axis's weights in this arithmetic, <see cref="ResampleCoefficients.Stride"/> slots per output.</summary>
    static abstract TSample[] Weights(ResampleCoefficients axis);

    /// <summary>The taps' weights in this arithmetic, one per tap.</summary>
    static abstract TSample[] Weights(VerticalTaps taps);

    /// <summary>A pass's sum of weighted samples as the sample the next pass (or the output) sees.</summary>
    static abstract TSample EndPass(TSample sum);

    /// <summary><see cref="EndPass(TSample)"/> over a row of sums (<paramref name="samples"/> may be <paramref name="sums"/>).</summary>
    static abstract void EndPass(ReadOnlySpan<TSample> sums, Span<TSample> samples);

    /// <summary>A row of samples that have been through both passes, as the output planes hold them.</summary>
    static abstract void Store(ReadOnlySpan<TSample> samples, Span<TOutput> target);
}
