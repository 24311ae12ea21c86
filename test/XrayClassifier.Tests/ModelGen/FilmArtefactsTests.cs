using XrayClassifier.ModelGen;

namespace XrayClassifier.Tests.ModelGen;

/// <summary>The sample radiograph carries the sharp, full-white content real films have.</summary>
public sealed class FilmArtefactsTests
{
    [Fact]
    public void AddsBrightCollimatorMarginsAMarkerAndTextAndKeepsTheAnatomyInside()
    {
        const int w = 800, h = 1000;
        var plain = SampleImages.ChestXray(w, h, 3);
        var film = FilmArtefacts.Apply(plain, 3);

        // Unexposed margins: every corner pixel is near white.
        foreach (var (x, y) in new[] { (0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1), (5, h / 2), (w - 6, h / 2) })
            Assert.True(film.Samples[y * w + x] > 58000, $"({x},{y}) = {film.Samples[y * w + x]}");
        // Burned-in strokes are full white where the anatomy was not.
        int white = film.Samples.Count(s => s == 65535);
        Assert.InRange(white, 200, w * h / 50);
        // Inside the field the anatomy is still there, grain on top.
        int cx = w / 2, cy = h / 2;
        Assert.InRange(film.Samples[cy * w + cx] - plain.Samples[cy * w + cx], -4000, 4000);
        Assert.NotEqual(plain.Samples, film.Samples);
        Assert.Equal(film.Samples, FilmArtefacts.Apply(plain, 3).Samples);
    }

    [Fact]
    public void StampsTheGlyphsOfItsFont()
    {
        var samples = new ushort[20 * 10];
        FilmArtefacts.Stamp(samples, 20, 10, "L", 1, 1, 1);

        // "L": a vertical stroke down the first column, a bar along the seventh row.
        for (int r = 0; r < 7; r++) Assert.Equal(65535, samples[(1 + r) * 20 + 1]);
        for (int c = 0; c < 5; c++) Assert.Equal(65535, samples[7 * 20 + 1 + c]);
        Assert.Equal(0, samples[1 * 20 + 3]);
        Assert.Equal(7 + 5 - 1, samples.Count(s => s == 65535));
    }
}
