using System.Runtime.InteropServices;
using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>What the tensor holds: layout, channels, bit depth, alpha, orientation, geometry — checked
/// from first principles (solid colours, known pictures), independently of the PIL reference.</summary>
[Collection(ImagingCollection.Name)]
public sealed class PreprocessTests(PipelineFixture fixture)
{
    private static readonly PreprocessSpec Rgb = FidelityCorpus.Rgb224;
    private static readonly PreprocessSpec Grey = FidelityCorpus.Grey224;

    private (float[] Tensor, DecodedImage Decoded) Run(byte[] bytes, PreprocessSpec spec)
    {
        var tensor = new float[spec.ElementCount];
        var decoded = fixture.Pipeline.PreprocessUpload(bytes, null, spec, tensor);
        return (tensor, decoded);
    }

    [Fact]
    public void WritesAGreyImageIntoEachOfThreeChannelsWithThatChannelsMeanAndStd()
    {
        var bytes = TestImages.GreyPng.Value;
        var (rgb, _) = Run(bytes, Rgb);
        var (raw, _) = Run(bytes, Grey with { Mean = [0f], Std = [1f] }); // p/255 itself
        int plane = 224 * 224;
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++)
                Assert.Equal((double)((raw[i] - Rgb.Mean[c]) / Rgb.Std[c]), rgb[c * plane + i], 1e-5);
    }

    [Fact]
    public void TurnsColourIntoItu601LuminanceForAOneChannelModel()
    {
        var png = VipsEncoder.Png(TestImages.Solid8(200, 150, 200, 100, 50));
        var (tensor, decoded) = Run(png, Grey with { Mean = [0f], Std = [1f] });
        Assert.Equal(3, decoded.Bands);
        // PIL's convert('L'): ITU-R 601 in 16-bit fixed point, rounded to 8 bits (124, where 0.299·200 + … = 124.2).
        float luma = ((200 * 19595 + 100 * 38470 + 50 * 7471 + 0x8000) >> 16) / 255f;
        Assert.All(tensor, v => Assert.Equal(luma, v, 5));
    }

    [Fact]
    public void KeepsColourChannelsApartForAThreeChannelModel()
    {
        var png = VipsEncoder.Png(TestImages.Solid8(200, 150, 200, 100, 50));
        var (tensor, _) = Run(png, Rgb);
        int plane = 224 * 224;
        byte[] rgb = [200, 100, 50];
        for (int c = 0; c < 3; c++)
            Assert.All(tensor.AsSpan(c * plane, plane).ToArray(), v => Assert.Equal((rgb[c] / 255f - Rgb.Mean[c]) / Rgb.Std[c], v, 5));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    public void DropsAlphaInsteadOfCompositingIt(byte alpha)
    {
        var rgba = SyntheticXray.Rgb16(300, 300, alpha: true).To8();
        var data = rgba.Bytes8!;
        for (int i = 3; i < data.Length; i += 4) data[i] = alpha;
        var (withAlpha, decoded) = Run(VipsEncoder.Png(rgba), Rgb);
        var (without, _) = Run(VipsEncoder.Png(rgba.Select(0, 1, 2)), Rgb);
        Assert.Equal(4, decoded.Bands);
        Assert.Equal(without, withAlpha);
    }

    [Fact]
    public void ScalesSixteenBitSamplesByTheirFullRangeWithoutEightBitQuantisation()
    {
        // 40000 and 40100 differ by less than one 8-bit level (257): an 8-bit path would map both to 156.
        var spec = Grey with { Mean = [0f], Std = [1f] };
        var (a, da) = Run(VipsEncoder.Png(TestImages.Solid16(100, 100, 40000), bitDepth: 16), spec);
        var (b, _) = Run(VipsEncoder.Png(TestImages.Solid16(100, 100, 40100), bitDepth: 16), spec);
        Assert.Equal(16, da.BitsPerSample);
        Assert.All(a, v => Assert.Equal(40000 / 65535f, v, 6));
        Assert.All(b, v => Assert.Equal(40100 / 65535f, v, 6));
    }

    [Fact]
    public void NeverClipsSixteenBitValuesAt255()
    {
        var spec = Grey with { Mean = [0f], Std = [1f] };
        var (tensor, _) = Run(VipsEncoder.Png(TestImages.Solid16(100, 100, 1000), bitDepth: 16), spec);
        Assert.All(tensor, v => Assert.Equal(1000 / 65535f, v, 6));
        var (tiff, _) = Run(VipsEncoder.Tiff(TestImages.Solid16(100, 100, 65535)), spec);
        Assert.All(tiff, v => Assert.Equal(1f, v, 6));
    }

    /// <summary>Stored pixels for a displayed picture D under EXIF orientation o, from the tag's definition
    /// (not from the production mapping): 6 = stored turned left, displayed after a clockwise turn, etc.</summary>
    private static Samples Stored(Samples d, int o)
    {
        int w = d.Width, h = d.Height;
        bool swap = o >= 5;
        int sw = swap ? h : w, sh = swap ? w : h;
        var data = new byte[sw * sh];
        for (int y = 0; y < sh; y++)
        {
            for (int x = 0; x < sw; x++)
            {
                (int dx, int dy) = o switch
                {
                    1 => (x, y),
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (w - 1 - y, x),         // stored = displayed turned anticlockwise
                    7 => (w - 1 - y, h - 1 - x),
                    8 => (y, h - 1 - x),         // stored = displayed turned clockwise
                    _ => throw new ArgumentOutOfRangeException(nameof(o)),
                };
                data[y * sw + x] = (byte)d[dx, dy, 0];
            }
        }
        return Samples.Of8(sw, sh, 1, data);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void AppliesTheExifOrientationOfJpegAndTiff(int orientation)
    {
        var displayed = SyntheticXray.Grey16(240, 320, seed: 11).To8();
        var upright = Run(VipsEncoder.Png(displayed), Rgb).Tensor;
        var stored = Stored(displayed, orientation);

        var tiff = VipsEncoder.Tiff(stored, "none", orientation);
        Assert.Equal(orientation, VipsEncoder.ReadOrientation("tiffload_buffer", tiff));
        var (fromTiff, decoded) = Run(tiff, Rgb);
        Assert.Equal((240, 320), (decoded.Width, decoded.Height));
        AssertClose(upright, fromTiff, maxDifference: 1e-6);

        var jpeg = VipsEncoder.Jpeg(stored, 100, orientation);
        Assert.Equal(orientation, VipsEncoder.ReadOrientation("jpegload_buffer", jpeg));
        var (fromJpeg, _) = Run(jpeg, Rgb);
        AssertClose(upright, fromJpeg, maxDifference: 0.06); // JPEG at q100 is nearly lossless
    }

    [Fact]
    public void StretchesToTheModelSizeOrCoversAndCropsTheCentre()
    {
        // 448×224: left half black, right half white.
        var data = new byte[448 * 224];
        for (int y = 0; y < 224; y++) for (int x = 224; x < 448; x++) data[y * 448 + x] = 255;
        var png = VipsEncoder.Png(Samples.Of8(448, 224, 1, data));
        var spec = Grey with { Mean = [0f], Std = [1f] };

        var (stretched, _) = Run(png, spec);
        Assert.Equal(0f, stretched[100 * 224 + 10], 5);    // left quarter: black
        Assert.Equal(1f, stretched[100 * 224 + 213], 5);   // right quarter: white
        Assert.Equal(0f, stretched[100 * 224 + 110], 1);   // just left of the middle

        // Cover: the short side is already 224, so nothing is resized; the centre 224 columns (112…335)
        // are cut out: black up to column 111, white from 112.
        var (covered, _) = Run(png, spec with { Resize = ResizeMode.Cover });
        for (int x = 0; x < 224; x++) Assert.Equal(x < 112 ? 0f : 1f, covered[50 * 224 + x], 5);
    }

    [Fact]
    public void ReportsWhatWasDecoded()
    {
        Assert.Equal(new DecodedImage(ImageFormat.Png, 320, 400, 1, 16), Run(TestImages.GreyPng16.Value, Rgb).Decoded);
        Assert.Equal(new DecodedImage(ImageFormat.Jpeg, 320, 400, 3, 8), Run(TestImages.RgbJpeg.Value, Rgb).Decoded);
        Assert.Equal(new DecodedImage(ImageFormat.Tiff, 320, 400, 1, 8), Run(TestImages.GreyTiff.Value, Rgb).Decoded);
        Assert.Equal(new DecodedImage(ImageFormat.Webp, 320, 400, 3, 8), Run(TestImages.RgbWebp.Value, Rgb).Decoded);
        var greyAlpha16 = VipsEncoder.Png(SyntheticXray.GreyAlpha16(100, 120), bitDepth: 16);
        Assert.Equal(new DecodedImage(ImageFormat.Png, 100, 120, 2, 16), Run(greyAlpha16, Rgb).Decoded);
    }

    [Fact]
    public unsafe void WritesStraightIntoANativeInputBuffer()
    {
        // The inference engine's input tensor lives in native memory; the pipeline writes into it directly.
        nuint bytes = (nuint)(Rgb.ElementCount * sizeof(float));
        float* buffer = (float*)NativeMemory.AlignedAlloc(bytes, 64);
        try
        {
            var native = new Span<float>(buffer, Rgb.ElementCount);
            native.Fill(float.NaN);
            fixture.Pipeline.PreprocessUpload(TestImages.GreyJpeg.Value, "image/jpeg", Rgb, native);
            Assert.Equal(Run(TestImages.GreyJpeg.Value, Rgb).Tensor, native.ToArray());
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    [Fact]
    public void RefusesADestinationSmallerThanTheTensor()
    {
        var e = Assert.Throws<ArgumentException>(() => fixture.Pipeline.PreprocessUpload(TestImages.GreyPng.Value, null, Rgb, new float[Rgb.ElementCount - 1]));
        Assert.Contains($"{Rgb.ElementCount}", e.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void RefusesASpecWithAChannelCountModelsDoNotUse(int channels)
    {
        var spec = Rgb with { Channels = channels, Mean = Enumerable.Repeat(0.5f, channels).ToArray(), Std = Enumerable.Repeat(0.5f, channels).ToArray() };
        Assert.Throws<ArgumentException>(() => fixture.Pipeline.PreprocessUpload(TestImages.GreyPng.Value, null, spec, new float[spec.ElementCount]));
    }

    [Fact]
    public void GivesTheSameTensorsFromParallelCallers()
    {
        byte[][] images = [TestImages.GreyPng.Value, TestImages.GreyPng16.Value, TestImages.RgbJpeg.Value, TestImages.GreyTiff.Value, TestImages.RgbWebp.Value];
        var expected = images.Select(i => Run(i, Rgb).Tensor).ToArray();
        var results = new float[4 * images.Length][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            var tensor = new float[Rgb.ElementCount];
            fixture.Pipeline.PreprocessUpload(images[k % images.Length], null, Rgb, tensor);
            results[k] = tensor;
        });
        for (int k = 0; k < results.Length; k++) Assert.Equal(expected[k % images.Length], results[k]);
    }

    [Fact]
    public void HandlesExtremeAspectRatiosWithoutHoldingTheImage()
    {
        // 64 × 100 000: PIL's window of rows is kept, not the 100 000 rows.
        var tall = VipsEncoder.Png(TestImages.Solid8(64, 100_000, 77));
        var spec = Grey with { Mean = [0f], Std = [1f] };
        var (fromTall, decoded) = Run(tall, spec);
        Assert.Equal((64, 100_000), (decoded.Width, decoded.Height));
        Assert.All(fromTall, v => Assert.Equal(77 / 255f, v, 6));

        // Stored 100 000 × 64, displayed turned (orientation 6): too wide for full-width column sums,
        // so it goes rows-first instead.
        var wide = VipsEncoder.Tiff(TestImages.Solid8(100_000, 64, 200), "deflate", orientation: 6);
        var (fromWide, turned) = Run(wide, spec);
        Assert.Equal((64, 100_000), (turned.Width, turned.Height));
        Assert.All(fromWide, v => Assert.Equal(200 / 255f, v, 6));
    }

    [Fact]
    public void GivesTheSameTensorWhetherDecodingOverlapsResamplingOrNot()
    {
        using var inline = ImagePipeline.Create(Tests.TestHelpers.TestEnvironment.NativeDirectory, PipelineFixture.Limits, threads: 1);
        try
        {
            foreach (var bytes in new[] { TestImages.GreyPng.Value, TestImages.GreyPng16.Value, TestImages.RgbJpeg.Value, TestImages.RgbWebp.Value })
            {
                foreach (var spec in new[] { Rgb, Grey, Rgb with { Interpolation = Interpolation.Nearest } })
                {
                    var one = new float[spec.ElementCount];
                    inline.PreprocessUpload(bytes, null, spec, one);
                    Assert.Equal(one, Run(bytes, spec).Tensor);
                }
            }
        }
        finally
        {
            Function.Imaging.Vips.VipsRuntime.SetConcurrency(fixture.Pipeline.Threads);
        }
    }

    private static void AssertClose(float[] expected, float[] actual, double maxDifference)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs(expected[i] - actual[i]));
        Assert.True(max <= maxDifference, $"max difference {max} > {maxDifference}");
    }
}
