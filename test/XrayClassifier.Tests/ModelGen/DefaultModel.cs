using XrayClassifier.ModelGen;

namespace XrayClassifier.Tests.ModelGen;

/// <summary>The default CheXNet model written once per test run with <see cref="OnnxModels.WriteCheXNet"/> (a few CPU seconds each time), shared by the ModelGen tests.</summary>
internal static class DefaultModel
{
    private static readonly Lazy<string> s_path = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), $"xray-modelgen-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        };
        var path = Path.Combine(folder, "model.onnx");
        OnnxModels.WriteCheXNet(path);
        return path;
    });

    /// <summary>model.onnx, alone in its own folder.</summary>
    public static string FilePath => s_path.Value;
}
