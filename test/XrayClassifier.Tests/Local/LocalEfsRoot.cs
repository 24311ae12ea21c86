using XrayClassifier.Tests.TestHelpers;

namespace XrayClassifier.Tests.Local;

/// <summary>
/// A stand-in for the EFS mount: models/ linked from the filled efs-layout/, with its own empty cache/
/// and workspace/ so that what a test's handler writes stays in the test's folder. The native libraries
/// come through XRAY_NATIVE_DIR from the one folder every test uses: a process loads libvips and ONNX
/// Runtime once, and the first load fixes the path for all the tests after it.
/// </summary>
internal sealed class LocalEfsRoot : IDisposable
{
    private readonly TempDirectory _temp = TestEnvironment.CreateTempDirectory("xray-local-efs");

    public LocalEfsRoot()
    {
        _ = TestEnvironment.NativeDirectory;          // fails with the fix when fill.sh has not run
        _ = TestEnvironment.DefaultModelDirectory;
        Directory.CreateSymbolicLink(_temp.Combine("models"), System.IO.Path.Combine(TestEnvironment.EfsLayoutRoot, "models"));
        Directory.CreateDirectory(_temp.Combine("cache"));
        Directory.CreateDirectory(_temp.Combine("workspace"));
    }

    public string Path => _temp.Path;

    public string Workspace => _temp.Combine("workspace");

    /// <summary>XRAY_NATIVE_DIR for the shared native folder (see above).</summary>
    public static Dictionary<string, string?> NativeVariables => new() { ["XRAY_NATIVE_DIR"] = TestEnvironment.NativeDirectory };

    /// <summary>The handler's environment: XRAY_EFS_ROOT and XRAY_NATIVE_DIR, everything else at its default.</summary>
    public XrayClassifier.Function.Configuration.DictionaryEnvironmentVariables Environment =>
        new(new Dictionary<string, string?>(NativeVariables) { ["XRAY_EFS_ROOT"] = Path });

    public void Dispose() => _temp.Dispose();
}
