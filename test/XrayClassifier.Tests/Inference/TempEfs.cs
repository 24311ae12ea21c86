using System.Text.Json.Nodes;
using XrayClassifier.Function.Configuration;
using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Inference;

/// <summary>A throwaway EFS root: models/{name}/ with a manifest and model, cache/, and the real natives
/// from efs-layout (through the XRAY_NATIVE_DIR-style override).</summary>
public sealed class TempEfs : IDisposable
{
    private readonly TempDirectory _dir = TestEnvironment.CreateTempDirectory("xray-inference");

    public string Root => _dir.Path;
    public string CacheDirectory => Path.Combine(Root, "cache");

    public EfsLayout Layout(string model = "m") => new(Root, model, TestEnvironment.NativeDirectory);

    /// <summary>Writes models/{model}/manifest.json and the model file it names.</summary>
    public EfsLayout AddModel(byte[] onnx, JsonObject manifest, string model = "m")
    {
        var layout = Layout(model);
        Directory.CreateDirectory(layout.ModelDirectory);
        File.WriteAllBytes(Path.Combine(layout.ModelDirectory, (string?)manifest["model"] ?? "model.onnx"), onnx);
        File.WriteAllText(layout.ManifestPath, manifest.ToJsonString());
        return layout;
    }

    public string[] CacheEntries() =>
        Directory.Exists(CacheDirectory) ? Directory.GetFiles(CacheDirectory).Select(f => Path.GetFileName(f)).Order().ToArray() : [];

    public void Dispose() => _dir.Dispose();
}
