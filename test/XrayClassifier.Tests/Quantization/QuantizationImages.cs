using XrayClassifier.ModelGen;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Quantization;

/// <summary>
/// Realistic synthetic radiographs (ModelGen's chest phantom with film artefacts: collimator edges, an R marker,
/// burned-in text, grain) in two folders written once per test run: 8 to calibrate on (8- and 16-bit PNG) and 4
/// others, never calibrated on, for the agreement. Modest counts: the machine is shared.
/// </summary>
public sealed class QuantizationImages : IDisposable
{
    private readonly TempDirectory _root = TestEnvironment.CreateTempDirectory("xray-quantize");

    public QuantizationImages()
    {
        Calibration = Write("calibration", seeds: Enumerable.Range(101, 8));
        HeldOut = Write("held-out", seeds: Enumerable.Range(201, 4));
    }

    public string Calibration { get; }
    public string HeldOut { get; }
    public string Root => _root.Path;

    private string Write(string folder, IEnumerable<int> seeds)
    {
        var dir = _root.Combine(folder);
        Directory.CreateDirectory(dir);
        foreach (var seed in seeds)
        {
            int w = 640 + seed % 7 * 16, h = 760 + seed % 5 * 16;
            var film = FilmArtefacts.Apply(SampleImages.ChestXray(w, h, seed), seed);
            var png = seed % 2 == 0 ? PngWriter.Grey16(w, h, film.Samples) : PngWriter.Grey8(w, h, film.To8Bit());
            File.WriteAllBytes(Path.Combine(dir, $"xray-{seed}.png"), png);
        }
        return dir;
    }

    public void Dispose() => _root.Dispose();
}
