namespace XrayClassifier.Tests.Imaging;

/// <summary>The test-image encoder writes the samples it is given (a wrong test image would make every
/// fidelity comparison meaningless: an earlier version saved 16-bit grey scaled ×256).</summary>
[Collection(ImagingCollection.Name)]
public sealed class VipsEncoderTests
{
    public static IEnumerable<object[]> Lossless()
    {
        yield return ["pngload_buffer", (Func<Samples, byte[]>)(s => VipsEncoder.Png(s, s.Bits)), SyntheticXray.Grey16(50, 40)];
        yield return ["pngload_buffer", (Func<Samples, byte[]>)(s => VipsEncoder.Png(s)), SyntheticXray.Rgb16(50, 40, alpha: true).To8()];
        yield return ["pngload_buffer", (Func<Samples, byte[]>)(s => VipsEncoder.Png(s, s.Bits)), SyntheticXray.GreyAlpha16(50, 40)];
        yield return ["tiffload_buffer", (Func<Samples, byte[]>)(s => VipsEncoder.Tiff(s)), SyntheticXray.Grey16(50, 40)];
        yield return ["tiffload_buffer", (Func<Samples, byte[]>)(s => VipsEncoder.Tiff(s)), SyntheticXray.Rgb16(50, 40).To8()];
        yield return ["webpload_buffer", (Func<Samples, byte[]>)(s => VipsEncoder.Webp(s, lossless: true)), SyntheticXray.Rgb16(50, 40).To8()];
    }

    [Theory]
    [MemberData(nameof(Lossless))]
    public void LosslessEncodingsDecodeToTheSamplesGiven(string loader, Func<Samples, byte[]> encode, Samples samples)
    {
        var decoded = VipsEncoder.Decode(loader, encode(samples));
        Assert.Equal((samples.Width, samples.Height, samples.Bands, samples.FormatNick), (decoded.Width, decoded.Height, decoded.Bands, decoded.Format));
        Assert.Equal(samples.RawBytes.ToArray(), decoded.Pixels);
    }
}
