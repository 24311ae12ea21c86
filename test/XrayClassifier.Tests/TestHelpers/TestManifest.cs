using XrayClassifier.Function.Inference;
using XrayClassifier.Function.Inference.Manifest;

namespace XrayClassifier.Tests.TestHelpers;

/// <summary>Manifest JSON held in a test, parsed and checked as the function reads manifest.json
/// (<see cref="ManifestReader"/>; the function itself only ever loads the file).</summary>
internal static class TestManifest
{
    /// <summary>Parses and checks manifest JSON on its own (not yet against a model). Throws
    /// <see cref="XrayClassifier.Function.Configuration.PlatformUnavailableException"/> (component "manifest") listing every problem.</summary>
    public static ModelManifest Parse(string json, string source = ModelManifest.FileName) => ManifestReader.Parse(json, source);
}
