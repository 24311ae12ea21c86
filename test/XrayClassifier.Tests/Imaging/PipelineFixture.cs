using XrayClassifier.Function.Imaging;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Imaging;

/// <summary>One pipeline over the real libvips for every imaging test (libvips is once per process anyway).</summary>
public sealed class PipelineFixture : IDisposable
{
    public static readonly ImageLimits Limits = new(MaxEncodedBytes: 20 * 1024 * 1024, MaxPixels: 64L * 1024 * 1024, MinSide: 64);

    public PipelineFixture() => Pipeline = ImagePipeline.Create(TestEnvironment.NativeDirectory, Limits, threads: 2);

    public ImagePipeline Pipeline { get; }

    public void Dispose() => Pipeline.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ImagingCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "Imaging";
}
