using XrayClassifier.ModelGen;

namespace XrayClassifier.Tests.ModelGen;

public sealed class SampleImagesTests
{
    [Fact]
    public void SameArgumentsGiveTheSameSamplesAndSeedsDiffer()
    {
        var a = SampleImages.ChestXray(320, 256, 5);
        var b = SampleImages.ChestXray(320, 256, 5);
        var c = SampleImages.ChestXray(320, 256, 6);
        Assert.Equal(a.Samples, b.Samples);
        Assert.NotEqual(a.Samples, c.Samples);
        Assert.Equal((320, 256, 320 * 256), (a.Width, a.Height, a.Samples.Length));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LooksLikeAChestXray(int seed)
    {
        const int size = 512;
        var image = SampleImages.ChestXray(size, size, seed);
        double Mean(double u0, double v0, double u1, double v1)
        {
            double sum = 0; var n = 0;
            for (var y = (int)(v0 * size); y < (int)(v1 * size); y++)
                for (var x = (int)(u0 * size); x < (int)(u1 * size); x++) { sum += image.Samples[y * size + x]; n++; }
            return sum / n / 65535;
        }

        var background = Mean(0.0, 0.4, 0.03, 0.6);  // outside the body, beside the torso
        var rightLung = Mean(0.28, 0.35, 0.36, 0.45);
        var leftLung = Mean(0.64, 0.3, 0.72, 0.4);
        var softTissue = Mean(0.08, 0.5, 0.12, 0.6);
        var mediastinum = Mean(0.47, 0.25, 0.53, 0.35);
        var heart = Mean(0.5, 0.57, 0.6, 0.63);

        Assert.True(background < 0.1, $"background {background:F2} should be dark");
        Assert.True(rightLung < softTissue - 0.1 && leftLung < softTissue - 0.1, $"lungs ({rightLung:F2}, {leftLung:F2}) should be darker than soft tissue ({softTissue:F2})");
        Assert.True(mediastinum > softTissue && heart > softTissue, $"mediastinum {mediastinum:F2} and heart {heart:F2} should be brighter than soft tissue {softTissue:F2}");
        Assert.True(background < rightLung, "the lungs are darker than tissue but brighter than air outside the body");
        var histogram = image.Samples.Select(s => s >> 12).Distinct().Count();
        Assert.True(histogram >= 10, "the image should use most of the grey range");
    }

    [Fact]
    public void EightBitVersionRoundsEachSampleToNearest()
    {
        var image = new GreyImage(4, 1, [0, 128, 32896, 65535]);
        Assert.Equal(new byte[] { 0, 0, 128, 255 }, image.To8Bit());
        var sample = SampleImages.ChestXray(64, 64, 1);
        var eight = sample.To8Bit();
        for (var i = 0; i < eight.Length; i++) Assert.InRange(Math.Abs(eight[i] * 257 - sample.Samples[i]), 0, 129);
    }
}
