using XrayClassifier.Function.Imaging;
using Xunit.Abstractions;

namespace XrayClassifier.Tests.Imaging;

/// <summary>
/// The tensor the pipeline writes against what a PyTorch user's PIL/torchvision preprocessing gives for
/// the same file (test/…/Imaging/Reference/reference_pipeline.py), on every format, bit depth, channel
/// layout, orientation, size, resize mode and kernel. Differences are absolute, per element, in the
/// tensor's own normalised units ((p − mean)/std; with ImageNet's std 0.224, 0.1 ≈ 5.7 grey levels of 255).
/// </summary>
[Collection(ImagingCollection.Name)]
public sealed class FidelityTests(PipelineFixture fixture, FidelityCorpus corpus, ITestOutputHelper output) : IClassFixture<FidelityCorpus>
{
    /// <summary>Any kernel: largest difference in any element.</summary>
    public const double MaxAbsoluteDifference = 0.1;
    /// <summary>Any kernel: largest mean difference over a tensor.</summary>
    public const double MeanAbsoluteDifference = 0.01;
    /// <summary>Bilinear (CheXNet's Resize), the default: largest difference in any element.</summary>
    public const double BilinearMaxAbsoluteDifference = 0.05;
    /// <summary>Bilinear: largest mean difference over a tensor.</summary>
    public const double BilinearMeanAbsoluteDifference = 0.008;
    /// <summary>Dithered 1-bit pictures, outermost pixel ring only (see <see cref="FidelityCorpus.Case"/>).</summary>
    public const double BinaryEdgeMaxAbsoluteDifference = 0.25;

    [Theory]
    [MemberData(nameof(FidelityCorpus.CaseNames), MemberType = typeof(FidelityCorpus))]
    public void MatchesThePilReferenceWithinTolerance(string caseName)
    {
        var c = corpus.Get(caseName);
        var tensor = new float[c.Spec.ElementCount];
        fixture.Pipeline.Preprocess(corpus.Encoded(c.ImageKey), null, c.Spec, tensor);
        var reference = corpus.Reference(caseName);

        int w = c.Spec.Width, h = c.Spec.Height, plane = w * h;
        double max = 0, edgeMax = 0, sum = 0;
        int worst = 0;
        for (int i = 0; i < tensor.Length; i++)
        {
            double d = Math.Abs(tensor[i] - reference[i]);
            sum += d;
            int x = i % w, y = i % plane / w;
            bool edge = x == 0 || y == 0 || x == w - 1 || y == h - 1;
            if (c.Binary && edge)
            {
                edgeMax = Math.Max(edgeMax, d);
                continue;
            }
            if (d > max) { max = d; worst = i; }
        }
        double mean = sum / tensor.Length;
        output.WriteLine($"FIDELITY {caseName,-50} max {max:F4} mean {mean:F5}{(c.Binary ? $" edge max {edgeMax:F4}" : "")} (worst c{worst / plane} y{worst % plane / w} x{worst % w}: {tensor[worst]:F4} vs {reference[worst]:F4})");

        bool bilinear = c.Spec.Interpolation == Interpolation.Bilinear;
        double maxAllowed = bilinear ? BilinearMaxAbsoluteDifference : MaxAbsoluteDifference;
        double meanAllowed = bilinear ? BilinearMeanAbsoluteDifference : MeanAbsoluteDifference;
        Assert.True(max <= maxAllowed, $"{caseName}: max difference {max:F4} > {maxAllowed}");
        Assert.True(mean <= meanAllowed, $"{caseName}: mean difference {mean:F5} > {meanAllowed}");
        Assert.True(edgeMax <= BinaryEdgeMaxAbsoluteDifference, $"{caseName}: edge difference {edgeMax:F4} > {BinaryEdgeMaxAbsoluteDifference}");
    }
}
